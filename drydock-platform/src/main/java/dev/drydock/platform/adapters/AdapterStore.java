package dev.drydock.platform.adapters;

import dev.drydock.platform.adapters.Adapter.AdapterState;
import dev.drydock.platform.adapters.Adapter.DeploymentModel;
import dev.drydock.platform.adapters.Adapter.EngineMode;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

import java.time.Instant;
import java.util.Optional;

/** SQL for adapters, shared by the adapter and build services inside their transactions. */
public final class AdapterStore {
    static final RowMapper<Adapter> ADAPTER = (rs, ctx) -> new Adapter(
            rs.getString("engine_id"), rs.getLong("org_id"), rs.getString("name"), rs.getString("category"),
            EngineMode.valueOf(rs.getString("engine_mode")), DeploymentModel.valueOf(rs.getString("deployment_model")),
            AdapterState.valueOf(rs.getString("state")), rs.getString("created_by"),
            rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());

    private AdapterStore() {}

    public static Optional<Adapter> byId(Handle h, String engineId) {
        if (engineId == null || !engineId.matches("[0-9a-f-]{36}")) return Optional.empty();
        return h.createQuery("select * from adapters where engine_id = ?").bind(0, engineId).map(ADAPTER).findOne();
    }

    /**
     * Locks the adapter's row until the transaction ends. Every transaction that changes an adapter or its
     * builds takes this lock first, so they run one after the other per adapter: decisions that read sibling
     * builds (pause the deployed one, no second build for a digest) or the adapter's state (disabled, deleted)
     * cannot be made on data a concurrent transaction is changing.
     */
    public static void lock(Handle h, String engineId) {
        h.createQuery("select engine_id from adapters where engine_id = ? for update").bind(0, engineId)
                .mapTo(String.class).findOne();
    }

    /** The live (not deleted) adapter with that name in the organization. */
    public static Optional<Adapter> byName(Handle h, long orgId, String name) {
        return h.createQuery("select * from adapters where org_id = ? and live_name = ?").bind(0, orgId).bind(1, name)
                .map(ADAPTER).findOne();
    }

    /**
     * Derives the adapter's state from its builds, unless the owner disabled or deleted it: {@code active}
     * when a build is deployed, {@code ready} when one was approved (approved, deployed or paused), else
     * {@code pending}.
     */
    public static void recomputeState(Handle h, String engineId, Instant now) {
        Adapter adapter = byId(h, engineId).orElseThrow();
        if (adapter.state() == AdapterState.disabled || adapter.state() == AdapterState.deleted) return;
        boolean deployed = exists(h, engineId, "'deployed'");
        boolean approved = exists(h, engineId, "'approved', 'deployed', 'paused'");
        AdapterState state = deployed ? AdapterState.active : approved ? AdapterState.ready : AdapterState.pending;
        if (state != adapter.state()) setState(h, engineId, state, now);
    }

    static void setState(Handle h, String engineId, AdapterState state, Instant now) {
        h.execute("update adapters set state = ?, updated_at = ? where engine_id = ?", state.name(), now, engineId);
    }

    private static boolean exists(Handle h, String engineId, String states) {
        return h.createQuery("select 1 from builds where engine_id = ? and state in (" + states + ") limit 1")
                .bind(0, engineId).mapTo(Integer.class).findOne().isPresent();
    }
}
