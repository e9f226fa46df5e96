package dev.drydock.image;

import dev.drydock.oci.Digest;

/**
 * An image read from the developer's disk (see {@link LocalImages}): its content, the digest to resolve (a
 * manifest or an index, as {@link ImageReader#resolve} takes), and the tag it was saved under, or null.
 */
public record LocalImage(ImageSource source, Digest top, String repoTag) {}
