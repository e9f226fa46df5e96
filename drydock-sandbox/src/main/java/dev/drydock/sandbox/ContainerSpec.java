package dev.drydock.sandbox;

import java.util.List;
import java.util.Map;

/**
 * What to create: one sandbox container. The runner always applies: no privileges, all capabilities dropped,
 * {@code no-new-privileges}, no host mounts; {@code readOnlyRoot} with a tmpfs at {@code /tmp} of
 * {@link Limits#tmpfsBytes()}.
 *
 * @param network the network to attach (created by {@link ContainerRunner#createNetwork})
 */
public record ContainerSpec(String name, String image, List<String> env, Map<String, String> labels, String network,
                            Limits limits, boolean readOnlyRoot) {
    public ContainerSpec {
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
    }
}
