package dev.drydock.server;

import dev.drydock.server.config.DrydockConfig;
import dev.drydock.testkit.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Drydock on a real PostgreSQL server (db.url), from push to a tested build, and the errors of a database that refuses. */
class PostgresServerTest {

    @Test
    void aPushedBuildIsTestedToAvailableWithEverythingInPostgresql(@TempDir Path tmp) throws Exception {
        TestPostgres.Db db = TestPostgres.freshDatabase();
        try (BuildFixture w = new BuildFixture(BuildFixture.start(Map.of(
                "db.url", db.url(), "db.user", db.user(), "db.password", db.password(), "storage.fsync", "false")))) {
            BuildFixture.Owner owner = w.orgWithRobot(BuildFixture.ORG);
            String engineId = w.registerAdapter(owner, "pg-adapter");
            String build = w.pushTested(owner, engineId, "pg-adapter", "1.0", "amd64", "available");

            // the server's state is in PostgreSQL (not in an embedded database under its data directory)
            try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
                 PreparedStatement q = c.prepareStatement("select state, length(report) from builds where id = ?")) {
                q.setString(1, build);
                try (ResultSet rs = q.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("available");
                    assertThat(rs.getInt(2)).isPositive();
                }
            }
            assertThat(w.d.dataDir().resolve("db")).doesNotExist();

            // ./drydock gc beside the running server (an external database is shared, not locked)
            Path config = tmp.resolve("drydock.properties");
            Files.writeString(config, "db.url=" + db.url() + "\ndb.user=" + db.user() + "\ndb.password=" + db.password() + "\n");
            StringWriter out = new StringWriter();
            CommandLine gc = new CommandLine(new Main());
            gc.setOut(new PrintWriter(out));
            assertThat(gc.execute("gc", "--data", w.d.dataDir().toString(), "--config", config.toString(), "--dry-run"))
                    .as(out.toString()).isZero();
            assertThat(out.toString()).contains("blobs stored").contains("dry run: would delete 0 blobs");
        }
    }

    @Test
    void aDatabaseThatRefusesOrCannotBeReachedFailsStartUpNamingTheKeysWithoutThePassword(@TempDir Path tmp) throws IOException {
        TestPostgres.Db db = TestPostgres.freshDatabase();
        String wrong = "not-the-password-4711";
        assertThatThrownBy(() -> DrydockServer.start(config(tmp, db.url(), wrong), event -> {}))
                .isInstanceOf(DrydockConfig.InvalidConfig.class)
                .hasMessageContaining("db.url=" + db.url())
                .hasMessageContaining("password authentication failed")
                .hasMessageContaining("check db.user and db.password")
                .hasMessageNotContaining(wrong);

        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort(); // nobody listens there once it is closed
        }
        String unreachable = "jdbc:postgresql://127.0.0.1:" + closed + "/drydock";
        assertThatThrownBy(() -> DrydockServer.start(config(tmp, unreachable, wrong), event -> {}))
                .isInstanceOf(DrydockConfig.InvalidConfig.class)
                .hasMessageContaining("db.url=" + unreachable)
                .hasMessageContaining("check db.url")
                .hasMessageNotContaining(wrong);

        // a password inside the URL is masked too, and the commands say the same as serve
        Path file = tmp.resolve("bad.properties");
        Files.writeString(file, "db.url=" + db.url() + "?password=" + wrong + "\ndb.user=" + db.user() + "\n");
        StringWriter err = new StringWriter();
        CommandLine gc = new CommandLine(new Main());
        gc.setErr(new PrintWriter(err));
        assertThat(gc.execute("gc", "--data", tmp.toString(), "--config", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("db.url=" + db.url() + "?password=****").contains("db.password")
                .doesNotContain(wrong);
    }

    private static DrydockConfig config(Path tmp, String url, String password) {
        Map<String, String> flags = new HashMap<>();
        flags.put("data", tmp.resolve("data").toString());
        flags.put("port", "0");
        flags.put("bind", "127.0.0.1");
        flags.put("db.url", url);
        flags.put("db.user", TestPostgres.USER);
        flags.put("db.password", password);
        return DrydockConfig.load(null, Map.of(), flags);
    }
}
