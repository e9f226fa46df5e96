package dev.drydock.registry.events;

import dev.drydock.oci.Digest;

/** Something that happened in the registry, published after it was stored. */
public sealed interface RegistryEvent {

    /** A manifest was stored under a tag (pushes by digest alone carry a null tag). */
    record ManifestPushed(long org, String repository, String tag, Digest digest, String mediaType, String actor)
            implements RegistryEvent {}

    record ManifestDeleted(long org, String repository, Digest digest, String actor) implements RegistryEvent {}

    record TagDeleted(long org, String repository, String tag, String actor) implements RegistryEvent {}
}
