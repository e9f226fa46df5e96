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
 * Policy.Evaluation verdict = policy.evaluate(result.findings(), clock.instant());
 * }</pre>
 */
public final class Scanner {
    /** The files the layer pass must keep for a scan with the default inventories. */
    public static final FileInterest INTEREST = Inventories.defaults().interest();

    /**
     * Layer-pass limits for a scan: the defaults with 256 MiB per kept file. The interest includes Java archives and
     * Go executables, and real ones pass the default 64 MiB (Spring Boot fat jars, {@code kubectl} 57 MB, Go CLIs
     * 120 MB+); 256 MiB is the Go inventory's own read bound and covers them. A wanted file over it is listed
     * without its bytes ({@code contentAvailable=false}, {@code ImageFilesystem.notKept}) and the inventories report
     * it as skipped; the pass never fails for it. Kept bytes go to disk, never memory, and the total stays bounded
     * by {@code maxTotalBytes}.
     */
    public static final ExtractionLimits EXTRACTION_LIMITS = new ExtractionLimits(256L * 1024 * 1024,
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
