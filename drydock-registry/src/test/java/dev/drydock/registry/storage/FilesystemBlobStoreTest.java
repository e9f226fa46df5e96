package dev.drydock.registry.storage;

import dev.drydock.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilesystemBlobStoreTest extends BlobStoreContract {
    @TempDir
    Path root;

    @Override
    protected BlobStore newStore() throws IOException {
        return new FilesystemBlobStore(root, true);
    }

    private List<Path> filesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) return List.of();
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void anUploadThatIsNeverPublishedLeavesNothingUnderBlobs() throws IOException {
        String id = newUploadId();
        store.createUpload(id);
        long offset = 0;
        for (int i = 0; i < 3; i++) {
            offset = store.append(id, offset, new ByteArrayInputStream(random(1 << 20, i)), b -> {});
        }
        assertThat(filesUnder(root.resolve("blobs"))).isEmpty();
        assertThat(filesUnder(root.resolve("uploads"))).containsExactly(root.resolve("uploads").resolve(id));

        store.deleteUpload(id);
        assertThat(filesUnder(root)).isEmpty();
    }

    @Test
    void publishMovesTheUploadIntoTheContentAddressedTree() throws IOException {
        byte[] content = bytes("layout");
        Digest digest = Digest.sha256(content);
        String id = newUploadId();
        store.createUpload(id);
        store.append(id, 0, new ByteArrayInputStream(content), b -> {});
        store.publish(id, digest);

        Path blob = root.resolve("blobs").resolve("sha256").resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
        assertThat(filesUnder(root)).containsExactly(blob);
        assertThat(Files.readAllBytes(blob)).isEqualTo(content);
    }

    @Test
    void fsyncOffStoresTheSameWay() throws IOException {
        BlobStore noSync = new FilesystemBlobStore(root.resolve("nosync"), false);
        byte[] content = bytes("no fsync");
        Digest digest = Digest.sha256(content);
        String id = newUploadId();
        noSync.createUpload(id);
        noSync.append(id, 0, new ByteArrayInputStream(content), b -> {});
        noSync.publish(id, digest);
        assertThat(readAll(noSync.open(digest, 0, content.length))).isEqualTo(content);
    }

    @Test
    void traversalIdsDoNotTouchFilesOutsideTheUploadArea() throws IOException {
        Path victim = root.resolve("x");
        Files.writeString(victim, "keep me");
        Path uploadsVictim = root.resolve("uploads").resolve("..").resolve("x");

        assertThatThrownBy(() -> store.deleteUpload("../x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.publish("../x", Digest.sha256(bytes("keep me"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.append("../x", 7, new ByteArrayInputStream(bytes("!")), b -> {}))
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(Files.readString(uploadsVictim)).isEqualTo("keep me");
        assertThat(filesUnder(root.resolve("blobs"))).isEmpty();
    }

    @Test
    void reopeningTheStoreSeesPublishedBlobsAndPendingUploads() throws IOException {
        Digest digest = put(bytes("durable"));
        String id = newUploadId();
        store.createUpload(id);
        store.append(id, 0, new ByteArrayInputStream(bytes("half")), b -> {});

        BlobStore reopened = new FilesystemBlobStore(root, true);
        assertThat(reopened.size(digest)).contains(7L);
        assertThat(reopened.uploadSize(id)).contains(4L);
    }
}
