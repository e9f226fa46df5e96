package dev.drydock.compliance;

import dev.drydock.oci.Digest;

/**
 * What the pipeline is told about the build it tests, including the registered adapter's details that the
 * image must agree with ({@code manifest.matches}) and that the sandbox run needs. For {@code ./drydock check}
 * the build fields (engineId, buildId, uploadTime, user) and any adapter detail not given are null.
 *
 * @param image          the image reference as reports name it, e.g. {@code host/17532/my-adapter:1.0}
 * @param category       the adapter's registered category, e.g. {@code pull}
 * @param engineMode     {@code batch}, {@code chunk} or {@code stream}
 * @param deploymentModel e.g. {@code FullyNetworkIsolated}
 */
public record BuildUnderTest(String engineId, String buildId, Long uploadTime, String user, String image,
                             String repository, Digest digest, String category, String engineMode,
                             String deploymentModel) {}
