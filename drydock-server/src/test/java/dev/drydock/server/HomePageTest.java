package dev.drydock.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The home page links to the sample adapters, and every link answers with the file. */
class HomePageTest {
    static TestDrydock d;

    @BeforeAll
    static void start() {
        d = TestDrydock.start();
    }

    @AfterAll
    static void stop() {
        d.close();
    }

    private static HttpResponse<String> get(String path) {
        return d.send(HttpRequest.newBuilder(URI.create(d.url() + path)).GET().build());
    }

    @Test
    void linksToEveryExampleFile() {
        String home = get("/").body();
        Matcher m = Pattern.compile("href=\"(/examples/[^\"]+)\"").matcher(home);
        int links = 0;
        while (m.find()) {
            HttpResponse<String> r = get(m.group(1));
            assertThat(r.statusCode()).as(m.group(1)).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            links++;
        }
        assertThat(links).isGreaterThanOrEqualTo(10);
        assertThat(get("/examples/busybox-pull-adapter/Dockerfile").body()).contains("ENTRYPOINT");
        assertThat(home).contains("href=\"/examples/text-keyword-engine/README.md\"");
        assertThat(get("/examples/text-keyword-engine/engine.sh").body()).contains("createAsset");
    }

    @Test
    void nothingElseIsServedFromThere() {
        assertThat(get("/examples/busybox-pull-adapter/../../drydock.properties").statusCode()).isEqualTo(404);
        assertThat(get("/examples/nope/README.md").statusCode()).isEqualTo(404);
        assertThat(get("/examples/dev/drydock/server/Main.class").statusCode()).isEqualTo(404);
    }
}
