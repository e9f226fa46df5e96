package dev.drydock.server.builds;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.server.BuildFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Pages of an adapter's builds ({@code limit}, {@code offset}, {@code Link}, {@code X-Total-Count}) and testDuration. */
class BuildPaginationTest {
    private static BuildFixture w;
    private static String engineId;
    /** The three builds, newest first. */
    private static final List<String> BUILDS = new ArrayList<>();

    @BeforeAll
    static void start() {
        w = BuildFixture.withParties();
        engineId = w.register("paged");
        for (String tag : List.of("1.0", "1.1", "1.2")) BUILDS.addFirst(w.push("paged", tag, "amd64"));
        for (String id : BUILDS) w.awaitState(id, "available");
    }

    @AfterAll
    static void stop() {
        if (w != null) w.close();
    }

    private static List<String> ids(HttpResponse<String> r) {
        List<String> ids = new ArrayList<>();
        BuildFixture.parse(r.body()).forEach(b -> ids.add(b.get("id").asText()));
        return ids;
    }

    private HttpResponse<String> get(String query) {
        return w.get(w.dev(), "/api/v1/adapters/" + engineId + "/builds" + query);
    }

    @Test
    void pagesFollowTheLinkHeaderNewestFirst() {
        HttpResponse<String> first = get("?limit=2");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(ids(first)).containsExactly(BUILDS.get(0), BUILDS.get(1));
        assertThat(first.headers().firstValue("X-Total-Count")).hasValue("3");
        String link = first.headers().firstValue("Link").orElseThrow();
        assertThat(link).isEqualTo("</api/v1/adapters/" + engineId + "/builds?limit=2&offset=2>; rel=\"next\"");

        HttpResponse<String> second = w.get(w.dev(), link.substring(1, link.indexOf('>')));
        assertThat(ids(second)).containsExactly(BUILDS.get(2));
        assertThat(second.headers().firstValue("X-Total-Count")).hasValue("3");
        assertThat(second.headers().firstValue("Link")).isEmpty();

        assertThat(ids(get("?limit=1&offset=1"))).containsExactly(BUILDS.get(1));
        assertThat(ids(get("?offset=5"))).isEmpty();
    }

    @Test
    void withoutLimitTheWholeListAsBefore() {
        HttpResponse<String> all = get("");
        assertThat(ids(all)).containsExactlyElementsOf(BUILDS);
        assertThat(all.headers().firstValue("Link")).isEmpty();
        assertThat(all.headers().firstValue("X-Total-Count")).isEmpty();
    }

    @Test
    void theStateFilterIsKeptInTheNextLink() {
        w.act(w.dev(), BUILDS.get(0), "submit", null, 200); // still listed by default: the other tests see all three
        HttpResponse<String> page = get("?state=available&limit=1");
        assertThat(ids(page)).containsExactly(BUILDS.get(1));
        assertThat(page.headers().firstValue("X-Total-Count")).hasValue("2");
        assertThat(page.headers().firstValue("Link"))
                .hasValue("</api/v1/adapters/" + engineId + "/builds?state=available&limit=1&offset=1>; rel=\"next\"");
    }

    @Test
    void badParametersAreRefusedNamingTheParameter() {
        for (String[] bad : new String[][]{{"limit=0", "limit"}, {"limit=501", "limit"}, {"limit=ten", "limit"},
                {"limit=", "limit"}, {"offset=-1", "offset"}, {"offset=1.5", "offset"}, {"limit=2&offset=x", "offset"}}) {
            HttpResponse<String> r = get("?" + bad[0]);
            assertThat(r.statusCode()).as(bad[0]).isEqualTo(400);
            JsonNode error = BuildFixture.parse(r.body()).get("error");
            assertThat(error.get("code").asText()).as(bad[0]).isEqualTo("VALIDATION_FAILED");
            assertThat(error.get("detail").get("field").asText()).as(bad[0]).isEqualTo(bad[1]);
            assertThat(error.get("message").asText()).as(bad[0]).startsWith(bad[1] + " must be a whole number");
        }
        assertThat(get("?limit=500").statusCode()).isEqualTo(200);
    }

    @Test
    void testDurationIsTheTimeFromFetchingToTested() {
        JsonNode build = w.build(BUILDS.get(2));
        Instant fetched = null;
        Instant tested = null;
        for (JsonNode h : build.get("history")) {
            if (h.get("to").asText().equals("fetching") && fetched == null) fetched = Instant.parse(h.get("at").asText());
            if (h.get("action").asText().equals("tested")) tested = Instant.parse(h.get("at").asText());
        }
        long expected = Duration.between(fetched, tested).toMillis();
        assertThat(build.get("testDuration").asLong()).isEqualTo(expected);
        JsonNode listed = BuildFixture.parse(get("?limit=500").body()).get(2);
        assertThat(listed.get("id").asText()).isEqualTo(BUILDS.get(2));
        assertThat(listed.get("testDuration").asLong()).isEqualTo(expected);
    }

    @Test
    void sbomAvailableSaysWhetherTheSbomCanBeDownloaded() {
        JsonNode tested = w.build(BUILDS.get(2));
        assertThat(tested.get("sbomAvailable").asBoolean()).isTrue();
        assertThat(w.get(w.dev(), "/api/v1/builds/" + BUILDS.get(2) + "/sbom").statusCode()).isEqualTo(200);
        // builds written without testing (no scan stored an SBOM) have a report state but no SBOM
        String other = w.register("paged-untested");
        String untested = w.insertBuilds(other, 1, 10).getFirst();
        JsonNode listed = BuildFixture.parse(w.get(w.dev(), "/api/v1/adapters/" + other + "/builds?limit=5").body()).get(0);
        assertThat(listed.get("id").asText()).isEqualTo(untested);
        assertThat(listed.get("reportAvailable").asBoolean()).isTrue();
        assertThat(listed.get("sbomAvailable").asBoolean()).isFalse();
        assertThat(w.get(w.dev(), "/api/v1/builds/" + untested + "/sbom").statusCode()).isEqualTo(409);
    }
}
