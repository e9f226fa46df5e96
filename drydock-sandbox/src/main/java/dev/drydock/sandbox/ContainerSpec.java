package dev.drydock.sandbox;

import java.util.List;
import java.util.Map;

/**
 * What to create: one sandbox container. The runner always applies: no privileges, all capabilities dropped,
 * {@code no-new-privileges}, no host mounts, a tmpfs at {@code /tmp} of {@link Limits#tmpfsBytes()}. The root filesystem
 * is writable, as under a plain {@code docker run} (real engines install things under {@code /} when they start), its
 * growth bounded by {@link Limits#rootGrowthBytes()} where the engine can, and discarded with the container.
 *
 * @param network the network to attach (created by {@link ContainerRunner#createNetwork})
 * @param dns     name servers for the container (empty: the engine's default). Internal runs name the gateway, where
 *                the fence's DNS recorder answers: Docker's embedded resolver forwards there too, instead of failing
 *                lookups inside the container where nobody sees them
 */
public record ContainerSpec(String name, String image, List<String> env, Map<String, String> labels, String network,
                            Limits limits, List<String> dns) {
    public ContainerSpec {
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
        dns = List.copyOf(dns);
    }
}
