package dev.drydock.platform.builds;

import dev.drydock.registry.Registry;
import dev.drydock.registry.RegistryException;

import java.util.function.Consumer;

/**
 * Releases a deleted build's image for garbage collection: once the deletion committed, the registry's manifest
 * goes (by digest, so every tag pointing at it too). A {@link BuildEvents} listener rather than a part of
 * {@link BuildService}, because the registry is built after the builds (its push events feed {@link BuildIntake}).
 */
public final class ImageRelease implements Consumer<BuildChanged> {
    private final Registry registry;
    private final BuildService builds;

    public ImageRelease(Registry registry, BuildService builds) {
        this.registry = registry;
        this.builds = builds;
    }

    @Override
    public void accept(BuildChanged change) {
        if (change.to() != BuildState.deleted) return;
        builds.find(change.buildId()).ifPresent(build -> {
            try {
                registry.deleteManifest(build.repository(), build.digest().toString(), BuildService.SYSTEM);
            } catch (RegistryException e) {
                // already gone
            }
        });
    }
}
