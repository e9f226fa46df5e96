package dev.drydock.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads every layer of an image exactly once and builds its {@link ImageFilesystem}. Layers are decoded
 * concurrently (at most one thread per processor), each into its own list of changes, and then merged in layer
 * order, so whiteouts and overwrites apply as a runtime would apply them. Kept file bytes go to numbered files in
 * a fresh directory under {@code workDir}; on failure that directory is deleted before the exception leaves.
 * The {@link FileInterest} is called from the decoding threads, so it must be thread-safe (a set lookup is).
 */
public final class LayerPass {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private LayerPass() {}

    public static ImageFilesystem read(ImageSource source, ResolvedImage image, FileInterest interest,
                                       ExtractionLimits limits, Path workDir) throws ImageException, InterruptedException {
        List<ResolvedImage.Layer> layers = image.layers();
        java.util.Map<ResolvedImage.Layer, Long> stored = new java.util.HashMap<>();
        for (ResolvedImage.Layer layer : layers) {
            java.util.Optional<Long> size = source.blobSize(layer.digest());
            size.ifPresent(s -> stored.put(layer, s));
            if (size.isEmpty()) {
                throw new ImageException("layer " + layer.digest() + " is not stored in Drydock (a foreign layer is fetched "
                        + "by the runtime from its URLs, which Drydock does not do): push the image with all its layers");
            }
        }
        Path directory;
        try {
            directory = Files.createTempDirectory(workDir, "layers-");
        } catch (IOException e) {
            throw new ImageException("cannot create a working directory under " + workDir + ": " + e.getMessage(), e);
        }
        LayerDecoder.Budget budget = new LayerDecoder.Budget(limits, interest, directory);
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), layers.size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "layer-pass-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        boolean succeeded = false;
        try {
            CompletionService<LayerChanges> completion = new ExecutorCompletionService<>(pool);
            List<Future<LayerChanges>> futures = new ArrayList<>();
            for (ResolvedImage.Layer layer : layers) {
                futures.add(completion.submit(() -> {
                    try (InputStream blob = source.blob(layer.digest())) {
                        return new LayerDecoder(budget, layer, stored.get(layer)).decode(blob);
                    } catch (IOException e) {
                        throw new ImageException("layer " + layer.digest() + " could not be read from storage: " + e.getMessage()
                                + "; push the image again", e);
                    }
                }));
            }
            // Wait in completion order so the first failure stops the other layers at once.
            for (int i = 0; i < layers.size(); i++) {
                try {
                    completion.take().get();
                } catch (ExecutionException e) {
                    throw unwrap(e);
                }
            }
            FlattenedFilesystem filesystem = new FlattenedFilesystem(layers, directory);
            for (Future<LayerChanges> future : futures) filesystem.apply(future.resultNow());
            succeeded = true;
            return filesystem;
        } finally {
            pool.shutdownNow();
            if (!succeeded) {
                // Decoders stop at their next read once interrupted; wait so none writes into a deleted directory.
                try {
                    pool.awaitTermination(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                FlattenedFilesystem.deleteTree(directory);
            }
        }
    }

    private static ImageException unwrap(ExecutionException e) throws InterruptedException {
        Throwable cause = e.getCause();
        if (cause instanceof ImageException image) return image;
        if (cause instanceof InterruptedException interrupted) throw interrupted;
        if (cause instanceof RuntimeException runtime) throw runtime;
        if (cause instanceof Error error) throw error;
        return new ImageException("reading the layers failed: " + cause, cause);
    }
}
