package dev.drydock.scanner;

import java.util.Objects;

/**
 * One installed package found in an image.
 *
 * @param ecosystem     the OSV ecosystem its advisories are published under: {@code Debian:12}, {@code Alpine:v3.18},
 *                      {@code Ubuntu:22.04}, {@code Maven}, {@code npm}, {@code PyPI}, {@code Go}
 * @param name          the binary package name ({@code libssl3}), Maven {@code groupId:artifactId}, npm or PyPI name,
 *                      Go module path
 * @param version       the installed version as the package database writes it
 * @param sourceName    the source package advisories name (dpkg {@code Source:}, apk origin), else {@code name}
 * @param sourceVersion the source package's version (dpkg {@code Source: name (version)}), else {@code version}
 * @param path          the file it was read from (image-relative), e.g. {@code var/lib/dpkg/status} or
 *                      {@code app/app.jar!BOOT-INF/lib/log4j-core-2.14.1.jar}
 * @param layer         the index of the layer that last wrote that file
 * @param createdBy     that layer's Dockerfile step, null when the history does not say
 */
public record InstalledPackage(String ecosystem, String name, String version, String sourceName, String sourceVersion,
                      String path, int layer, String createdBy) {

    public InstalledPackage {
        Objects.requireNonNull(ecosystem, "ecosystem");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        if (sourceName == null || sourceName.isBlank()) sourceName = name;
        if (sourceVersion == null || sourceVersion.isBlank()) sourceVersion = version;
    }
}
