package dev.drydock.sandbox;

import java.util.List;
import java.util.Map;

/**
 * What to create: one sandbox container. The runner always applies: no privileges, all capabilities dropped,
 * {@code no-new-privileges}, no host mounts, a {@code /dev/shm} of {@link Limits#tmpfsBytes()}. The root filesystem
 * (with {@code /tmp}, {@code /run}, {@code /var/tmp}) is writable, as under a plain {@code docker run} (real engines
 * install things under {@code /} when they start), its growth bounded by {@link Limits#rootGrowthBytes()} where the
 * engine can (else the sandbox stops the run past it), and discarded with the container.
 *
 * @param network the network to attach (created by {@link ContainerRunner#createNetwork})
 * @param dns     name servers for the container (empty: the engine's default). Internal runs name the gateway, where
 *                the fence's DNS recorder answers: Docker's embedded resolver forwards there too, instead of failing
 *                lookups inside the container where nobody sees them
 * @param entrypoint the command to run instead of the image's ENTRYPOINT and CMD (a webhook engine's command without
 *                the Engine Toolkit in front of it), or null for the image's own
 */
public record ContainerSpec(String name, String image, List<String> env, Map<String, String> labels, String network,
                            Limits limits, List<String> dns, List<String> entrypoint) {
    public ContainerSpec {
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
        dns = List.copyOf(dns);
        entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
    }

    /** The image's own entrypoint. */
    public ContainerSpec(String name, String image, List<String> env, Map<String, String> labels, String network,
                         Limits limits, List<String> dns) {
        this(name, image, env, labels, network, limits, dns, null);
    }
}
