package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One sandbox run to do: which image, how to pull it, what the adapter declared.
 *
 * @param imageRef        the image to pull, e.g. {@code registry.example:5000/17532/my-adapter@sha256:…} (pull by digest)
 * @param registryAuth    credentials for the pull (a short-lived pull token), or {@link RegistryAuth#NONE}
 * @param adapterManifest the image's {@code /var/manifest.json} (category, clusterSize, preferredInputFormat,
 *                        outputFormats, externalCalls …)
 * @param category        the adapter's category ({@code pull}, {@code push}, {@code transcription} …); null: the manifest's
 * @param deploymentModel the network policy
 * @param timeout         the whole run's limit (pull included); null: the sandbox's default (10 min)
 * @param limits          resource limits; null: from the manifest's {@code clusterSize}
 */
public record SandboxRequest(String imageRef, RegistryAuth registryAuth, JsonNode adapterManifest, String category,
                             DeploymentModel deploymentModel, Duration timeout, Limits limits) {
    public SandboxRequest {
        Objects.requireNonNull(imageRef, "imageRef");
        Objects.requireNonNull(adapterManifest, "adapterManifest");
        Objects.requireNonNull(deploymentModel, "deploymentModel");
        if (registryAuth == null) registryAuth = RegistryAuth.NONE;
        if (category == null || category.isBlank()) category = adapterManifest.path("category").asText("");
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) throw new IllegalArgumentException("timeout must be positive");
        if (limits == null) limits = Limits.forClusterSize(ClusterSize.parse(adapterManifest.path("clusterSize").asText(null)));
    }

    public static SandboxRequest of(String imageRef, JsonNode manifest, DeploymentModel model) {
        return new SandboxRequest(imageRef, RegistryAuth.NONE, manifest, null, model, null, null);
    }

    public SandboxRequest withAuth(RegistryAuth auth) {
        return new SandboxRequest(imageRef, auth, adapterManifest, category, deploymentModel, timeout, limits);
    }

    public SandboxRequest withTimeout(Duration t) {
        return new SandboxRequest(imageRef, registryAuth, adapterManifest, category, deploymentModel, t, limits);
    }

    public SandboxRequest withLimits(Limits l) {
        return new SandboxRequest(imageRef, registryAuth, adapterManifest, category, deploymentModel, timeout, l);
    }

    /** True for pull/push adapters (they get an ingest payload), false for cognitive engines. */
    public boolean adapter() {
        return TaskPayloads.isAdapterCategory(category);
    }

    /** The manifest's {@code externalCalls} domains, lower-cased. */
    public List<String> externalCalls() {
        List<String> out = new ArrayList<>();
        adapterManifest.path("externalCalls").forEach(n -> {
            String d = n.asText("").trim().toLowerCase(java.util.Locale.ROOT);
            if (!d.isEmpty()) out.add(d);
        });
        return out;
    }
}
