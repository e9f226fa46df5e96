package dev.drydock.sandbox;

import java.util.Locale;

/**
 * The adapter's deployment model, which decides the network policy of its sandbox run.
 *
 * <ul>
 *   <li>{@link #FullyNetworkIsolated}: only the sandbox API is reachable (internal network, host fenced).
 *   <li>{@link #MostlyNetworkIsolated}: also the manifest's {@code externalCalls} domains, only through the
 *       recording egress proxy (the network is still internal, so direct connections are impossible).
 *   <li>{@link #NonNetworkIsolated}: a normal bridge network; anything outside the host is reachable, host
 *       services other than the sandbox API are fenced off, traffic is recorded as container rx/tx totals.
 *   <li>{@link #HumanReview}: output goes to a human reviewer; the network is treated like
 *       {@link #MostlyNetworkIsolated} (declared domains through the proxy).
 * </ul>
 */
public enum DeploymentModel {
    FullyNetworkIsolated,
    MostlyNetworkIsolated,
    NonNetworkIsolated,
    HumanReview;

    /** True when the container gets an internal network (no default route). */
    public boolean internalNetwork() {
        return this != NonNetworkIsolated;
    }

    /** True when the manifest's {@code externalCalls} domains may be reached through the egress proxy. */
    public boolean proxyAllowed() {
        return this == MostlyNetworkIsolated || this == HumanReview;
    }

    /** Parses the record's spelling, ignoring case; names the valid values when it fails. */
    public static DeploymentModel parse(String value) {
        for (DeploymentModel m : values()) {
            if (m.name().toLowerCase(Locale.ROOT).equals(value == null ? "" : value.trim().toLowerCase(Locale.ROOT))) return m;
        }
        throw new IllegalArgumentException("unknown deployment model '" + value + "'; expected one of "
                + java.util.Arrays.toString(values()));
    }
}
