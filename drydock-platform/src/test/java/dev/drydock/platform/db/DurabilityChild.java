package dev.drydock.platform.db;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The child JVM of {@link EmbeddedDurabilityTest}: opens the database at a JDBC URL (arg 0) the way
 * {@link Database#open} does (its recovery first; plain JDBC, as the migrations would cost seconds per start), prints
 * which of the ids listed in a file (arg 1) are missing, then inserts, updates and deletes rows from several threads
 * (arg 2), each on its own auto-commit connection, until it is killed. It prints {@code ACK <id>} once an insert's
 * commit has returned and {@code DEL <id>} before it deletes one, so that the parent knows what must survive the kill.
 */
public final class DurabilityChild {
    public static void main(String[] args) throws Exception {
        String url = args[0];
        List<String> expected = Files.readAllLines(Path.of(args[1]));
        int threads = Integer.parseInt(args[2]);
        H2Recovery.beforeOpen(url, "sa", "");
        Connection first = DriverManager.getConnection(url, "sa", "");
        first.createStatement().execute("create table if not exists durability (id varchar(64) primary key, "
                + "touched_at timestamp with time zone, payload varchar(10000))");
        List<String> missing = new ArrayList<>();
        try (PreparedStatement q = first.prepareStatement("select count(*) from durability where id = ?")) {
            for (String id : expected) {
                q.setString(1, id);
                try (ResultSet r = q.executeQuery()) {
                    r.next();
                    if (r.getInt(1) == 0) missing.add(id);
                }
            }
        }
        print("MISSING " + missing.size() + " of " + expected.size() + " " + missing);
        String run = Long.toString(System.nanoTime(), 36);
        for (int t = 0; t < threads; t++) {
            String prefix = run + "-" + t + "-";
            Connection c = t == 0 ? first : DriverManager.getConnection(url, "sa", "");
            Thread.ofPlatform().start(() -> work(c, prefix));
        }
    }

    private static void work(Connection c, String prefix) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (PreparedStatement insert = c.prepareStatement(
                "insert into durability (id, touched_at, payload) values (?, current_timestamp, ?)");
             PreparedStatement touch = c.prepareStatement("update durability set touched_at = current_timestamp where id = ?");
             PreparedStatement delete = c.prepareStatement("delete from durability where id = ?")) {
            for (long n = 0; ; n++) {
                insert.setString(1, prefix + n);
                insert.setString(2, "x".repeat(random.nextInt(50, 3000)));
                insert.executeUpdate();
                print("ACK " + prefix + n);
                // updates and deletions leave dead pages, so chunks die and their space is reused
                touch.setString(1, prefix + n);
                touch.executeUpdate();
                if (n % 3 == 2) {
                    print("DEL " + prefix + (n - 2));
                    delete.setString(1, prefix + (n - 2));
                    delete.executeUpdate();
                }
            }
        } catch (SQLException e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
