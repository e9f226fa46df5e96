package dev.drydock.sandbox;

import java.time.Duration;

/**
 * Settings of the sandbox, validated here (an invalid value names its key).
 *
 * @param engineEndpoint           {@code sandbox.engine}: Docker Engine API endpoint, {@code unix:///run/podman/podman.sock},
 *                                 {@code unix:///var/run/docker.sock} or {@code tcp://host:2375}
 * @param timeout                  {@code test.timeout}: default limit of one run (pull included), 10 min
 * @param concurrency              {@code sandbox.concurrency}: runs at once; the rest queue (default: available cores)
 * @param logMaxLines              {@code sandbox.log-max-lines}: stdout and stderr lines kept each (10,000)
 * @param logMaxBytes              {@code sandbox.log-max-bytes}: stdout and stderr bytes kept each (1 MiB)
 * @param hostFence                {@code sandbox.host-fence}: fence each run's bridge with iptables (needs root); when
 *                                 false (development only) host services bound to 0.0.0.0 stay reachable from containers
 * @param allowPrivateDestinations {@code sandbox.proxy-allow-private}: let the egress proxy connect to loopback and
 *                                 private addresses (tests only)
 * @param keepImages               {@code sandbox.keep-images}: keep pulled images in the engine after the run (faster
 *                                 retests; the engine's storage grows with every build); default false
 * @param subnetPool               {@code sandbox.subnet-pool}: the IPv4 range run networks get their {@code /24} from
 *                                 ({@link SubnetPool#DEFAULT_POOL}); pick one your LAN and VPNs do not use
 * @param readyTimeout             {@code sandbox.ready-timeout}: how long a webhook engine has to answer its ready
 *                                 webhook with 200 after its container started (60 s)
 */
public record SandboxConfig(String engineEndpoint, Duration timeout, int concurrency, int logMaxLines, long logMaxBytes,
                            boolean hostFence, boolean allowPrivateDestinations, boolean keepImages, String subnetPool,
                            Duration readyTimeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(60);

    public SandboxConfig {
        if (engineEndpoint == null || !(engineEndpoint.startsWith("unix://") || engineEndpoint.startsWith("tcp://"))) {
            throw new IllegalArgumentException("sandbox.engine must be unix:///path/to.sock or tcp://host:port, got " + engineEndpoint);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("test.timeout must be positive: " + timeout);
        if (concurrency < 1) throw new IllegalArgumentException("sandbox.concurrency must be at least 1: " + concurrency);
        if (logMaxLines < 1) throw new IllegalArgumentException("sandbox.log-max-lines must be at least 1: " + logMaxLines);
        if (logMaxBytes < 1) throw new IllegalArgumentException("sandbox.log-max-bytes must be at least 1: " + logMaxBytes);
        if (subnetPool == null) subnetPool = SubnetPool.DEFAULT_POOL;
        new SubnetPool(subnetPool); // validates, naming the key
        if (readyTimeout == null) readyTimeout = DEFAULT_READY_TIMEOUT;
        if (readyTimeout.isNegative() || readyTimeout.isZero()) throw new IllegalArgumentException("sandbox.ready-timeout must be positive: " + readyTimeout);
    }

    /** With the default {@link #readyTimeout()}. */
    public SandboxConfig(String engineEndpoint, Duration timeout, int concurrency, int logMaxLines, long logMaxBytes,
                         boolean hostFence, boolean allowPrivateDestinations, boolean keepImages, String subnetPool) {
        this(engineEndpoint, timeout, concurrency, logMaxLines, logMaxBytes, hostFence, allowPrivateDestinations, keepImages, subnetPool,
                DEFAULT_READY_TIMEOUT);
    }

    public SandboxConfig withReadyTimeout(Duration t) {
        return new SandboxConfig(engineEndpoint, timeout, concurrency, logMaxLines, logMaxBytes, hostFence, allowPrivateDestinations, keepImages,
                subnetPool, t);
    }

    /** Defaults for an endpoint: 10 min, one run per core, 10,000 lines / 1 MiB, fenced, no private proxy targets. */
    public static SandboxConfig defaults(String engineEndpoint) {
        return new SandboxConfig(engineEndpoint, DEFAULT_TIMEOUT, Runtime.getRuntime().availableProcessors(),
                BoundedLog.DEFAULT_MAX_LINES, BoundedLog.DEFAULT_MAX_BYTES, true, false, false, SubnetPool.DEFAULT_POOL, DEFAULT_READY_TIMEOUT);
    }

    public SandboxConfig withTimeout(Duration t) {
        return new SandboxConfig(engineEndpoint, t, concurrency, logMaxLines, logMaxBytes, hostFence, allowPrivateDestinations, keepImages, subnetPool, readyTimeout);
    }

    public SandboxConfig withConcurrency(int n) {
        return new SandboxConfig(engineEndpoint, timeout, n, logMaxLines, logMaxBytes, hostFence, allowPrivateDestinations, keepImages, subnetPool, readyTimeout);
    }

    public SandboxConfig withAllowPrivateDestinations(boolean allow) {
        return new SandboxConfig(engineEndpoint, timeout, concurrency, logMaxLines, logMaxBytes, hostFence, allow, keepImages, subnetPool, readyTimeout);
    }

    public SandboxConfig withKeepImages(boolean keep) {
        return new SandboxConfig(engineEndpoint, timeout, concurrency, logMaxLines, logMaxBytes, hostFence, allowPrivateDestinations, keep, subnetPool, readyTimeout);
    }

    public SandboxConfig withLogLimits(int lines, long bytes) {
        return new SandboxConfig(engineEndpoint, timeout, concurrency, lines, bytes, hostFence, allowPrivateDestinations, keepImages, subnetPool, readyTimeout);
    }

    public SandboxConfig withSubnetPool(String pool) {
        return new SandboxConfig(engineEndpoint, timeout, concurrency, logMaxLines, logMaxBytes, hostFence, allowPrivateDestinations, keepImages, pool, readyTimeout);
    }
}
