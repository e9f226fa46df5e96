package dev.drydock.scanner.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.image.FileEntry;
import dev.drydock.image.ImageFilesystem;
import dev.drydock.scanner.Distro;
import dev.drydock.scanner.InstalledPackage;
import dev.drydock.scanner.ScanProblem;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * npm packages: each {@code node_modules/<name>/package.json} and {@code node_modules/@scope/<name>/package.json}
 * (an installed package's own manifest; an application's top-level package.json is not an installed package).
 */
public final class NpmInventory implements Inventory {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BYTES = 1024 * 1024;

    @Override
    public boolean wants(String path) {
        if (!path.endsWith("/package.json")) return false;
        String dir = path.substring(0, path.length() - "/package.json".length());
        int nm = dir.lastIndexOf("node_modules/");
        if (nm < 0) return false;
        String rest = dir.substring(nm + "node_modules/".length());
        int slashes = (int) rest.chars().filter(c -> c == '/').count();
        return rest.startsWith("@") ? slashes == 1 : slashes == 0 && !rest.isEmpty();
    }

    @Override
    public void collect(ImageFilesystem fs, Optional<Distro> distro, List<InstalledPackage> out, List<ScanProblem> problems) {
        for (FileEntry entry : fs.entries()) {
            if (entry.type() != FileEntry.Type.FILE || !wants(entry.path())) continue;
            if (!entry.contentAvailable()) {
                problems.add(ScanProblem.notKept(fs, entry.path(), "not read"));
                continue;
            }
            try {
                JsonNode json = JSON.readTree(BoundedText.readBytes(fs, entry, MAX_BYTES));
                String name = json.path("name").asText(""), version = json.path("version").asText("");
                if (name.isBlank() || version.isBlank()) {
                    problems.add(new ScanProblem(entry.path(), "package.json without name or version; skipped"));
                } else {
                    out.add(Inventory.found(entry, entry.path(), "npm", name, version, null, null));
                }
            } catch (IOException e) {
                problems.add(new ScanProblem(entry.path(), "unreadable package.json (" + e.getMessage() + "); skipped"));
            }
        }
    }
}
