package dev.drydock.compliance;

import dev.drydock.registry.Digest;

/** What the pipeline is told about the build it tests. */
public record BuildUnderTest(String engineId, String buildId, long uploadTime, String user, String image,
                             String repository, Digest digest) {}
