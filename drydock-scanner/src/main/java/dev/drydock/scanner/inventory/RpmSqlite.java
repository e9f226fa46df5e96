package dev.drydock.scanner.inventory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The header blobs of an rpm sqlite database ({@code Packages(hnum, blob)}). SQLite needs a file: the bytes go to
 * a private temporary file, opened read-only and immutable (no journal, no WAL, nothing written), then deleted.
 */
final class RpmSqlite {
    private RpmSqlite() {}

    static List<byte[]> blobs(byte[] database) throws IOException, SQLException {
        Path tmp = Files.createTempFile("drydock-rpmdb-", ".sqlite");
        try {
            Files.write(tmp, database);
            List<byte[]> out = new ArrayList<>();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + tmp + "?mode=ro&immutable=1");
                 PreparedStatement ps = c.prepareStatement("select blob from Packages");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byte[] blob = rs.getBytes(1);
                    if (blob != null) out.add(blob);
                }
            }
            return out;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
