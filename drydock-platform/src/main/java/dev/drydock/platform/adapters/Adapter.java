package dev.drydock.platform.adapters;

import dev.drydock.compliance.ManifestCategories;

import java.time.Instant;

/** A registered adapter or engine; its repository is {@code <orgId>/<name>}. */
public record Adapter(String engineId, long orgId, String name, String category, EngineMode engineMode,
                      DeploymentModel deploymentModel, AdapterState state, String createdBy, Instant created,
                      Instant updated) {

    public String repository() {
        return orgId + "/" + name;
    }

    public boolean isAdapter() {
        return ManifestCategories.isAdapter(category);
    }

    public enum AdapterState { pending, ready, active, disabled, deleted }

    public enum EngineMode { batch, chunk, stream }

    public enum DeploymentModel { FullyNetworkIsolated, MostlyNetworkIsolated, NonNetworkIsolated, HumanReview }
}
