package dev.drydock.scanner;

import dev.drydock.image.ExtractionLimits;
import dev.drydock.image.FileInterest;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.scanner.advisory.AdvisoryIndex;
import dev.drydock.scanner.match.Counts;
import dev.drydock.scanner.match.Finding;
import dev.drydock.scanner.match.Matcher;
import java.util.List;

/**
 * The scanner as a library: inventory the flattened image filesystem, then match against advisory data held in
 * memory. No network and no database access during a scan. Thread-safe; one instance serves all scans of one
 * advisory data version.
 *
 * <pre>{@code
 * Scanner scanner = new Scanner(store.loadIndex());
 * ScanResult result = scanner.scan(fs, layerDigests);          // fs read with Scanner.INTEREST
 * Policy.Verdict verdict = policy.evaluate(result.findings(), clock.instant());
 * }</pre>
 */
public final class Scanner {
    /** The files the layer pass must keep for a scan with the default inventories. */
    public static final FileInterest INTEREST = Inventories.defaults().interest();

    /**
     * Layer-pass limits for a scan: the defaults with 512 MiB per kept file, because the interest includes Java
     * archives and Go executables, which exceed the default 64 MiB (a wanted file over the limit fails the pass).
     * The inventories bound their own reads below this.
     */
    public static final ExtractionLimits EXTRACTION_LIMITS = new ExtractionLimits(512L * 1024 * 1024,
            ExtractionLimits.DEFAULTS.maxTotalBytes(), ExtractionLimits.DEFAULTS.maxEntries(),
            ExtractionLimits.DEFAULTS.maxPathLength(), ExtractionLimits.DEFAULTS.maxPathDepth());

    private final Inventories inventories;
    private final AdvisoryIndex index;
    private final Matcher matcher;

    public Scanner(AdvisoryIndex index) {
        this(Inventories.defaults(), index);
    }

    public Scanner(Inventories inventories, AdvisoryIndex index) {
        this.inventories = inventories;
        this.index = index;
        this.matcher = new Matcher(index);
    }

    /**
     * Scans one image. {@code layerDigests} are the image's layer digests in order (index 0 is the base), used for
     * each finding's {@code AddedBy}.
     */
    public ScanResult scan(ImageFilesystem fs, List<String> layerDigests) {
        ImageInventory inventory = inventories.read(fs);
        List<Finding> findings = matcher.match(inventory, layerDigests);
        return new ScanResult(inventory.distro(), inventory.packages(), findings, Counts.bySeverity(findings),
                inventory.problems(), index.dataVersion(), index.importedAt());
    }
}
