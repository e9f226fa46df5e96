package dev.drydock.platform.jobs;

import dev.drydock.image.ImageSource;
import dev.drydock.oci.Digest;
import dev.drydock.registry.Registry;
import dev.drydock.registry.RegistryException;

import java.io.InputStream;
import java.util.Optional;

/**
 * An image straight from Drydock's own registry storage: one repository's manifests and blobs, no network pull.
 * It lives here, where registry and image reading meet, so that drydock-image needs no registry.
 */
public final class RegistryImageSource implements ImageSource {
    private final Registry registry;
    private final String repository;

    public RegistryImageSource(Registry registry, String repository) {
        this.registry = registry;
        this.repository = repository;
    }

    @Override
    public Optional<Manifest> manifest(Digest digest) {
        try {
            Registry.StoredManifest m = registry.getManifest(repository, digest.toString());
            return Optional.of(new Manifest(m.record().mediaType(), m.content()));
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Long> blobSize(Digest digest) {
        try {
            return Optional.of(registry.statBlob(repository, digest).size());
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }

    @Override
    public InputStream blob(Digest digest) {
        Registry.BlobInfo info = registry.statBlob(repository, digest);
        return registry.openBlob(info, 0, info.size());
    }
}
