package dev.drydock.platform.adapters;

import dev.drydock.compliance.ManifestCategories;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.adapters.Adapter.AdapterState;
import dev.drydock.platform.adapters.Adapter.DeploymentModel;
import dev.drydock.platform.adapters.Adapter.EngineMode;
import dev.drydock.platform.builds.Actor;
import dev.drydock.platform.builds.BuildChanged;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.builds.Roles;
import dev.drydock.platform.db.Database;
import dev.drydock.platform.identity.Principal;
import dev.drydock.registry.Names;
import dev.drydock.registry.RegistryException;
import org.jdbi.v3.core.Jdbi;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Registering adapters and the owner's adapter actions (disable, enable, delete). */
public final class AdapterService {
    public enum AdapterAction { disable, enable, delete }

    private final Jdbi jdbi;
    private final BuildService builds;
    private final AuditLog audit;
    private final InstantSource clock;

    public AdapterService(Jdbi jdbi, BuildService builds, AuditLog audit, InstantSource clock) {
        this.jdbi = jdbi;
        this.builds = builds;
        this.audit = audit;
        this.clock = clock;
    }

    public Adapter register(Principal principal, long orgId, String name, String category, String deploymentModel,
                            String engineMode) {
        requireOrg(principal, orgId);
        if (!Roles.of(principal, orgId).contains(Actor.owner)) {
            throw new ApiException(ApiErrorCode.FORBIDDEN, "only members of organization " + orgId + " may register adapters in it");
        }
        String validName = validName(orgId, name);
        if (category == null || !ManifestCategories.isRegistered(category)) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "category must be one of: " + String.join(", ", ManifestCategories.REGISTERED),
                    Map.of("field", "category"));
        }
        DeploymentModel model = parse(DeploymentModel.class, deploymentModel, "deploymentModel");
        EngineMode mode = parse(EngineMode.class, engineMode, "engineMode");
        if (ManifestCategories.isAdapter(category) && mode == EngineMode.chunk) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "pull and push adapters run in engineMode batch or stream, not chunk",
                    Map.of("field", "engineMode"));
        }
        String engineId = UUID.randomUUID().toString();
        Instant now = clock.instant();
        try {
            jdbi.useHandle(h -> h.createUpdate("""
                            insert into adapters (engine_id, org_id, name, live_name, category, engine_mode, deployment_model,
                                state, created_by, created_at, updated_at)
                            values (:id, :org, :name, :name, :category, :mode, :model, 'pending', :by, :now, :now)""")
                    .bind("id", engineId).bind("org", orgId).bind("name", validName).bind("category", category)
                    .bind("mode", mode.name()).bind("model", model.name()).bind("by", principal.name()).bind("now", now)
                    .execute());
        } catch (RuntimeException e) {
            if (Database.isDuplicateKey(e)) {
                throw new ApiException(ApiErrorCode.ADAPTER_EXISTS, "organization " + orgId + " already has an adapter named "
                        + validName + ": push new builds to it, or choose another name", Map.of("name", validName));
            }
            throw e;
        }
        audit.record(principal.name(), "adapter.register", orgId + "/" + validName, engineId);
        return get(principal, engineId);
    }

    public Adapter get(Principal principal, String engineId) {
        Adapter adapter = jdbi.withHandle(h -> AdapterStore.byId(h, engineId)).orElseThrow(() -> notFound(engineId));
        if (!principal.canSeeOrg(adapter.orgId())) throw notFound(engineId);
        return adapter;
    }

    /** The adapter with this id, in whatever state, without an access check (for the worker testing its builds). */
    public Optional<Adapter> byEngineId(String engineId) {
        return jdbi.withHandle(h -> AdapterStore.byId(h, engineId));
    }

    /** The live adapter owning a repository, if any (for the registry's push check). */
    public Optional<Adapter> byRepository(String repository) {
        int slash = repository.indexOf('/');
        long org = Long.parseLong(repository.substring(0, slash));
        return jdbi.withHandle(h -> AdapterStore.byName(h, org, repository.substring(slash + 1)));
    }

    public List<Adapter> list(Principal principal, long orgId) {
        requireOrg(principal, orgId);
        return jdbi.withHandle(h -> h.createQuery("select * from adapters where org_id = ? and state <> 'deleted' order by name")
                .bind(0, orgId).map(AdapterStore.ADAPTER).list());
    }

    public Adapter act(Principal principal, String engineId, String actionName) {
        AdapterAction action = parse(AdapterAction.class, actionName, "action");
        Adapter adapter = get(principal, engineId);
        if (!Roles.of(principal, adapter.orgId()).contains(Actor.owner)) {
            throw new ApiException(ApiErrorCode.FORBIDDEN, "only members of organization " + adapter.orgId() + " may " + action + " its adapters");
        }
        List<BuildChanged> changes = new ArrayList<>();
        jdbi.useTransaction(h -> {
            AdapterStore.lock(h, engineId);
            Adapter current = AdapterStore.byId(h, engineId).orElseThrow();
            Instant now = clock.instant();
            switch (action) {
                case disable -> {
                    if (!offered(current.state()).contains(action)) {
                        throw notAllowed(current, action, "only a ready or active adapter can be disabled");
                    }
                    String paused = builds.pauseForDisable(h, engineId, principal.name(), now, changes).orElse(null);
                    h.execute("update adapters set state = 'disabled', restore_build_id = ?, updated_at = ? where engine_id = ?",
                            paused, now, engineId);
                }
                case enable -> {
                    if (!offered(current.state()).contains(action)) {
                        throw notAllowed(current, action, "only a disabled adapter can be enabled");
                    }
                    String restore = h.createQuery("select restore_build_id from adapters where engine_id = ?").bind(0, engineId)
                            .mapTo(String.class).findOne().orElse(null);
                    h.execute("update adapters set state = 'pending', restore_build_id = null, updated_at = ? where engine_id = ?",
                            now, engineId);
                    if (restore != null) builds.redeployAfterEnable(h, restore, principal.name(), now, changes);
                    AdapterStore.recomputeState(h, engineId, now);
                }
                case delete -> {
                    if (!offered(current.state()).contains(action)) throw notAllowed(current, action, "the adapter is already deleted");
                    builds.deleteAllForAdapter(h, engineId, principal.name(), now, changes);
                    h.execute("update adapters set state = 'deleted', live_name = null, updated_at = ? where engine_id = ?", now, engineId);
                }
            }
        });
        audit.record(principal.name(), "adapter." + action, adapter.repository(), engineId);
        builds.publish(changes);
        return jdbi.withHandle(h -> AdapterStore.byId(h, engineId)).orElseThrow();
    }

    /**
     * The actions an adapter in {@code state} offers: disable a ready or active one, enable a disabled one, delete any
     * that is not deleted yet.
     */
    public static Set<AdapterAction> offered(AdapterState state) {
        return switch (state) {
            case ready, active -> EnumSet.of(AdapterAction.disable, AdapterAction.delete);
            case disabled -> EnumSet.of(AdapterAction.enable, AdapterAction.delete);
            case pending -> EnumSet.of(AdapterAction.delete);
            case deleted -> EnumSet.noneOf(AdapterAction.class);
        };
    }

    /** The actions {@code principal} may take on the adapter now: what its state offers, to members of its organization. */
    public Set<AdapterAction> allowedActions(Principal principal, Adapter adapter) {
        return Roles.of(principal, adapter.orgId()).contains(Actor.owner)
                ? offered(adapter.state()) : EnumSet.noneOf(AdapterAction.class);
    }

    private void requireOrg(Principal principal, long orgId) {
        boolean exists = jdbi.withHandle(h -> h.createQuery("select 1 from orgs where id = ?").bind(0, orgId)
                .mapTo(Integer.class).findOne().isPresent());
        if (!exists || !principal.canSeeOrg(orgId)) {
            throw new ApiException(ApiErrorCode.ORG_NOT_FOUND, "organization " + orgId + " does not exist or you are not a member of it",
                    Map.of("id", orgId));
        }
    }

    private static String validName(long orgId, String name) {
        if (name == null || name.contains("/")) {
            throw invalidName(name);
        }
        try {
            Names.repository(orgId + "/" + name);
        } catch (RegistryException e) {
            throw invalidName(name);
        }
        if (name.length() > 200) throw invalidName(name);
        return name;
    }

    private static ApiException invalidName(String name) {
        return new ApiException(ApiErrorCode.VALIDATION_FAILED,
                "name '" + name + "' cannot be a repository name: use lowercase letters, digits and . _ - (e.g. my-adapter)",
                Map.of("field", "name"));
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value, String field) {
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, field + " must be one of: "
                    + String.join(", ", Arrays.stream(type.getEnumConstants()).map(Enum::name).toList()), Map.of("field", field));
        }
    }

    private static ApiException notAllowed(Adapter adapter, AdapterAction action, String why) {
        return new ApiException(ApiErrorCode.ADAPTER_ACTION_NOT_ALLOWED, "cannot " + action + " adapter " + adapter.name()
                + " in state " + adapter.state() + ": " + why, Map.of("state", adapter.state().name(), "action", action.name()));
    }

    private static ApiException notFound(String engineId) {
        return new ApiException(ApiErrorCode.ADAPTER_NOT_FOUND, "adapter " + engineId + " does not exist or is not visible to you",
                Map.of("engineId", String.valueOf(engineId)));
    }
}
