package dev.drydock.scanner;

/**
 * The image's operating system.
 *
 * @param id             os-release {@code ID} ({@code debian}, {@code alpine}, {@code ubuntu}, {@code centos} …)
 * @param versionId      os-release {@code VERSION_ID} (or what a fallback file says), may be empty
 * @param namespace      the Clair namespace: {@code debian:12}, {@code alpine:v3.18}, {@code ubuntu:22.04},
 *                       {@code centos:7}
 * @param osvEcosystem   the OSV ecosystem of its packages ({@code Debian:12}, {@code Alpine:v3.18},
 *                       {@code Ubuntu:22.04}), or null when OSV publishes none for it
 * @param prettyName     os-release {@code PRETTY_NAME}, for display
 * @param source         the file it was read from
 */
public record Distro(String id, String versionId, String namespace, String osvEcosystem, String prettyName,
                     String source) {}
