package dev.drydock.compliance;

import dev.drydock.image.ExtractionLimits;
import dev.drydock.image.FileInterest;
import dev.drydock.image.ImageException;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.image.ImageSource;
import dev.drydock.image.ResolvedImage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads an image's layers once into its flattened filesystem, keeping the contents of the files of interest
 * under {@code workDir} (drydock-image's {@code LayerPass::read} in production).
 */
@FunctionalInterface
public interface FilesystemReader {
    ImageFilesystem read(ImageSource source, ResolvedImage image, FileInterest interest, ExtractionLimits limits,
                         Path workDir) throws ImageException, IOException, InterruptedException;
}
