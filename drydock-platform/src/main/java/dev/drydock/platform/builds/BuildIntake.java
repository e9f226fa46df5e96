package dev.drydock.platform.builds;

import dev.drydock.platform.adapters.AdapterService;
import dev.drydock.registry.ErrorCode;
import dev.drydock.registry.Names;
import dev.drydock.registry.PushPolicy;
import dev.drydock.registry.RegistryException;
import dev.drydock.registry.events.EventSink;
import dev.drydock.registry.events.RegistryEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Where a push becomes a build: the registry's push policy (with {@code registry.require-adapter}, a repository
 * that belongs to no registered adapter refuses pushes before any byte is uploaded) and its event sink (a tagged
 * push to an adapter's repository becomes a pending build with a queued test, synchronously, before the manifest
 * PUT answers; the worker hears of the new build through {@link BuildEvents}). Every registry event is also passed
 * on to {@code forward}.
 */
public final class BuildIntake implements EventSink, PushPolicy {
    private static final Logger log = LoggerFactory.getLogger(BuildIntake.class);
    private final BuildService builds;
    private final AdapterService adapters;
    private final boolean requireAdapter;
    private final EventSink forward;

    public BuildIntake(BuildService builds, AdapterService adapters, boolean requireAdapter, EventSink forward) {
        this.builds = builds;
        this.adapters = adapters;
        this.requireAdapter = requireAdapter;
        this.forward = forward;
    }

    @Override
    public void checkPush(String repository) {
        if (!requireAdapter || adapters.byRepository(repository).isPresent()) return;
        long org = Names.orgOf(repository);
        throw new RegistryException(ErrorCode.DENIED, "no adapter named '"
                + repository.substring(repository.indexOf('/') + 1) + "' is registered in organization " + org
                + ": register it first (in the Developer App at /orgs/" + org + ", or POST /api/v1/orgs/" + org + "/adapters), then push again",
                Map.of("repository", repository));
    }

    @Override
    public void publish(RegistryEvent event) {
        forward.publish(event);
        if (event instanceof RegistryEvent.ManifestPushed pushed) {
            try {
                builds.onManifestPushed(pushed);
            } catch (RuntimeException e) {
                // the registry's sink must not throw: the push itself succeeded
                log.error("could not create a build for {}:{}", pushed.repository(), pushed.tag(), e);
            }
        }
    }
}
