package dev.drydock.sandbox;

import java.util.List;

/**
 * The report's {@code networkUsage}: every destination the container tried to reach that Drydock could see, with
 * bytes, and the container's own rx/tx totals.
 *
 * @param deploymentModel the policy applied
 * @param allowedDomains  the manifest's {@code externalCalls} domains the proxy let through (empty when none apply)
 * @param destinations    every destination seen: the sandbox API, each host asked of the proxy, refused connections
 *                        to host services
 * @param rxBytes         bytes the container received (engine statistics, last sample before exit)
 * @param txBytes         bytes the container sent (engine statistics, last sample before exit)
 */
public record NetworkUsage(DeploymentModel deploymentModel, List<String> allowedDomains, List<Destination> destinations,
                           long rxBytes, long txBytes) {
    public NetworkUsage {
        allowedDomains = List.copyOf(allowedDomains);
        destinations = List.copyOf(destinations);
    }

    public List<Destination> violations() {
        return destinations.stream().filter(d -> !d.allowed()).toList();
    }

    /**
     * One destination.
     *
     * @param host        host name or address as the container asked for it
     * @param port        destination port (0 when unknown)
     * @param via         how it was reached: {@code sandbox-api}, {@code proxy}, {@code host} (a refused connection to a
     *                    host service), {@code dns} (a refused name lookup)
     * @param connections connection attempts (or refused packets for {@code host}/{@code dns})
     * @param bytesOut    bytes from the container to the destination
     * @param bytesIn     bytes from the destination to the container
     * @param allowed     false for a policy violation
     * @param detail      why it was refused, or null
     */
    public record Destination(String host, int port, String via, long connections, long bytesOut, long bytesIn,
                              boolean allowed, String detail) {
    }
}
