package dev.drydock.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import dev.drydock.server.BuildFixture;
import dev.drydock.server.BuildFixture.Owner;
import dev.drydock.server.TestDrydock;
import dev.drydock.image.TestTar;
import dev.drydock.server.BuildFixture.Party;
import dev.drydock.server.TestImages;
import dev.drydock.server.VulnerabilityScanE2ETest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

/** The reviewer's queue (/reviews) in real Chromium, as reviewer@drydock.test, and its "changes since the last build". */
class ReviewQueueTest {
    private static final String XSS = "<img src=x onerror=window.__xss=1>";
    private static BuildFixture w;
    private static Browser browser;

    @BeforeAll
    static void start() {
        browser = Browser.launch();
        w = BuildFixture.withParties();
    }

    @AfterAll
    static void stop() {
        if (w != null) w.close();
        if (browser != null) browser.close();
    }

    private static Browser.Tab reviewer(BuildFixture fixture) {
        Browser.Tab tab = signedIn(fixture, BuildFixture.REVIEWER);
        tab.page().navigate("/reviews");
        assertThat(tab.page().locator("main h1")).hasText("Reviews");
        return tab;
    }

    /**
     * Signed in, once the start page has sent the browser on to the user's organization and drawn it (so the test's
     * next navigation is not raced by the start page's own).
     */
    private static Browser.Tab signedIn(BuildFixture fixture, String email) {
        Browser.Tab tab = browser.signIn(fixture.d, email, TestDrydock.PASSWORD);
        tab.page().waitForURL(url -> url.contains("/orgs/"));
        assertThat(tab.page().locator("header .who")).hasText(email);
        return tab;
    }

    private static Locator item(Page page, String buildId) {
        return page.locator("article.review-item[data-build='" + buildId + "']");
    }


    @Test
    void aSubmittedBuildIsListedWithItsSummaryAndApprovingItTakesItOffTheQueue() {
        String id = w.prepare("approve-me", "submitted");
        Browser.Tab tab = reviewer(w);
        Page page = tab.page();

        Locator item = item(page, id);
        assertThat(item.locator("h2")).hasText("approve-me:1.0");
        assertThat(item.locator("h2 a")).hasAttribute("href", "/builds/" + id);
        assertThat(item.locator(".review-org")).containsText(String.valueOf(BuildFixture.ORG));
        assertThat(item.locator(".review-user")).hasText(BuildFixture.ROBOT);
        assertThat(item.locator(".review-summary")).containsText("tests passed");
        assertThat(item.locator(".failing-checks")).hasText("0 failing checks");
        assertThat(item.getByText("Download report")).hasAttribute("href", "/api/v1/builds/" + id + "/report");
        Browser.screenshot(page, "reviews-queue");

        item.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Approve").setExact(true)).click();
        Browser.dialogButton(page, "Approve").click();

        assertThat(item).hasCount(0);
        org.assertj.core.api.Assertions.assertThat(w.state(id)).isEqualTo("approved");
        org.assertj.core.api.Assertions.assertThat(BuildFixture.history(w.build(id), "approve").getFirst().get("actor").asText())
                .isEqualTo(BuildFixture.REVIEWER);
        tab.assertNoErrors();
    }

    @Test
    void disapprovingNeedsAReasonWhichTheBuildsHistoryKeepsAsText() {
        String id = w.prepare("disapprove-me", "submitted");
        Browser.Tab tab = reviewer(w);
        Page page = tab.page();
        Locator item = item(page, id);

        item.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Disapprove").setExact(true)).click();
        Browser.dialogButton(page, "Disapprove").click();
        // the browser refuses the empty required field: the dialog stays open and nothing is sent
        Locator reason = page.getByLabel("Reason (the developer reads it: say what to fix)");
        assertThat(page.locator("dialog")).isVisible();
        org.assertj.core.api.Assertions.assertThat(reason.evaluate("el => el.validity.valueMissing")).isEqualTo(true);
        reason.fill("   ");
        Browser.dialogButton(page, "Disapprove").click();
        assertThat(page.locator("dialog .field-error")).hasText("A reason is required: the developer reads it.");
        org.assertj.core.api.Assertions.assertThat(w.state(id)).isEqualTo("submitted");
        Browser.screenshot(page, "reviews-disapprove-dialog");

        reason.fill("Needs a README " + XSS);
        Browser.dialogButton(page, "Disapprove").click();

        assertThat(item).hasCount(0);
        JsonNode build = w.build(id);
        org.assertj.core.api.Assertions.assertThat(build.get("state").asText()).isEqualTo("disapproved");
        org.assertj.core.api.Assertions.assertThat(BuildFixture.history(build, "disapprove").getFirst().get("reason").asText())
                .isEqualTo("Needs a README " + XSS);
        org.assertj.core.api.Assertions.assertThat(page.evaluate("() => window.__xss")).isNull();
        tab.assertNoErrors();
    }

    @Test
    void theChangesSectionShowsTheCheckThatChangedSinceTheAdaptersPreviousBuild() {
        w.register("changing");
        String first = w.push("changing", "1.0", "arm64");
        w.awaitState(first, "invalid");
        String second = w.push("changing", "2.0", "amd64");
        w.awaitState(second, "available");
        w.act(w.dev(), second, "submit", null, 200);
        Browser.Tab tab = reviewer(w);
        Page page = tab.page();
        Locator item = item(page, second);

        item.locator("details.review-changes > summary").click();

        Locator changes = item.locator("section.changes");
        assertThat(changes.locator(".changes-against")).containsText("Compared with 1.0");
        assertThat(changes.locator(".changes-against a")).hasAttribute("href", "/builds/" + first);
        Locator platform = changes.locator("tr[data-check='image.platform']");
        assertThat(platform.locator("[data-verdict]")).hasText(new String[]{"failed", "passed"});
        // the linux/arm64 build failed before its layers were read: its size is unknown, not unchanged
        assertThat(changes.locator("[data-fact='image-layers']")).hasText("1 (not measured in the build compared with)");
        // both builds were tested and timed; equal durations are possible (fast tests), and then the page says so
        JsonNode durations = BuildFixture.parse(w.get(w.reviewer(), "/api/v1/builds/" + second + "/changes").body()).get("testDuration");
        boolean same = durations.get("before").asLong() == durations.get("after").asLong();
        assertThat(changes.locator("[data-fact='test-duration']")).containsText(same ? " (no change)" : " since ");
        assertThat(changes.locator(".changes-nothing")).hasCount(0);
        Browser.screenshot(page, "reviews-changes");
        tab.assertNoErrors();

        Browser.Tab dark = browser.open(w.d, ColorScheme.DARK);
        Browser.signIn(dark.page(), BuildFixture.REVIEWER, TestDrydock.PASSWORD);
        dark.page().waitForURL(url -> url.contains("/orgs/"));
        dark.page().navigate("/reviews");
        item(dark.page(), second).locator("details.review-changes > summary").click();
        assertThat(item(dark.page(), second).locator(".changes-against")).containsText("Compared with 1.0");
        Browser.screenshot(dark.page(), "reviews-changes-dark");
        dark.assertNoErrors();
    }

    @Test
    void theChangesSectionShowsAVulnerabilityTheNewBuildAdded() throws Exception {
        // real advisories (log4j-core's CVE-2021-44228 and CVE-2021-45046), allowlisted so the build can be submitted
        HttpResponse<String> imported = w.d.send(HttpRequest.newBuilder(URI.create(w.d.url() + "/api/v1/vulndb/imports?format=osv&source=osv-maven"))
                .header("Authorization", w.admin()).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(VulnerabilityScanE2ETest.osvAllZip())).build());
        org.assertj.core.api.Assertions.assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        importOsv("xss-probe", "GHSA-xss0-0000-0000.json", XSS_ADVISORY);
        String until = LocalDate.now(ZoneOffset.UTC).plusDays(30).toString();
        for (String cve : new String[]{"CVE-2021-44228", "CVE-2021-45046"}) {
            w.d.api("POST", "/api/v1/orgs/" + BuildFixture.ORG + "/vulnerability-allowlist", w.auth(Party.orgAdmin),
                    Map.of("id", cve, "expires", until, "reason", "JndiLookup removed"), 201);
        }
        w.register("growing");
        String first = w.push("growing", "1.0", "amd64");
        w.awaitState(first, "available");
        TestImages.Built withLog4j = TestImages.image()
                .layer(TestImages.adapterLayer(TestImages.GOOD_MANIFEST, "#!/bin/sh\n"), "COPY . /")
                .layer(new TestTar().dir("app").file("app/app.jar", Files.readAllBytes(VulnerabilityScanE2ETest.LOG4J)), "COPY app.jar /app/")
                .build();
        String second = w.buildOf("growing", w.push(new Owner(BuildFixture.ORG, BuildFixture.ROBOT, w.robotToken), "growing", withLog4j, "2.0"));
        w.awaitState(second, "available");
        w.act(w.dev(), second, "submit", null, 200);
        Browser.Tab tab = reviewer(w);
        Page page = tab.page();
        Locator item = item(page, second);
        assertThat(item.locator(".vuln-counts [data-severity='Critical']")).containsText("Critical");

        item.locator("details.review-changes > summary").click();

        Locator log4shell = item.locator(".vulns-added li[data-cve='CVE-2021-44228']");
        assertThat(log4shell).containsText("Critical");
        assertThat(log4shell).containsText("org.apache.logging.log4j:log4j-core 2.14.1");
        assertThat(item.locator(".vulns-fixed")).hasCount(0);
        // an advisory's link and summary are data: a javascript: link is not followed, markup shows as text
        Locator probe = item.locator(".vulns-added li[data-cve='GHSA-xss0-0000-0000']");
        assertThat(probe).containsText("Low");
        assertThat(probe.locator("a")).hasAttribute("href", "#");
        probe.locator("a").click();
        org.assertj.core.api.Assertions.assertThat(page.evaluate("() => window.__xss")).isNull();
        assertThat(item.locator("[data-fact='image-layers']")).hasText("2 (+1 since 1)");
        Browser.screenshot(page, "reviews-changes-vulnerability");
        tab.assertNoErrors();
    }

    /** A low-severity advisory for log4j-core whose only link is a javascript: URL. */
    private static final String XSS_ADVISORY = """
            {"schema_version": "1.6.0", "id": "GHSA-xss0-0000-0000", "modified": "2025-01-01T00:00:00Z",
             "summary": "probe <img src=x onerror=window.__xss=1>", "details": "<script>window.__xss=1</script>",
             "database_specific": {"severity": "LOW"},
             "affected": [{"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
                           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.99.0"}]}]}],
             "references": [{"type": "ADVISORY", "url": "javascript:window.__xss=1"}]}
            """;

    private static void importOsv(String source, String name, String record) throws Exception {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry(name));
            out.write(record.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        HttpResponse<String> imported = w.d.send(HttpRequest.newBuilder(URI.create(w.d.url() + "/api/v1/vulndb/imports?format=osv&source=" + source))
                .header("Authorization", w.admin()).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(zip.toByteArray())).build());
        org.assertj.core.api.Assertions.assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
    }

    @Test
    void theFirstBuildOfAnAdapterSaysSo() {
        String id = w.prepare("first-of-its-kind", "submitted");
        Browser.Tab tab = reviewer(w);
        Locator item = item(tab.page(), id);

        item.locator("details.review-changes > summary").click();

        assertThat(item.locator(".changes-first")).containsText("First build of this adapter");
        tab.assertNoErrors();
    }

    @Test
    void anOrganizationNameWithMarkupShowsAsText() {
        long orgId = 6161;
        w.d.api("POST", "/api/v1/orgs", w.admin(), Map.of("id", orgId, "name", XSS), 201);
        Owner owner = new Owner(orgId, orgId + "+ci", w.d.createRobot(orgId, "ci"));
        String engineId = w.registerAdapter(owner, "probe");
        String id = w.pushTested(owner, engineId, "probe", "1.0", "amd64", "available");
        w.act(owner.auth(), id, "submit", null, 200);
        Browser.Tab tab = reviewer(w);
        Page page = tab.page();

        assertThat(item(page, id).locator(".review-org")).hasText("Organization " + XSS + " (" + orgId + ")");
        org.assertj.core.api.Assertions.assertThat(page.locator("main img").count()).isZero();
        org.assertj.core.api.Assertions.assertThat(page.evaluate("() => window.__xss")).isNull();
        tab.assertNoErrors();
    }

    @Test
    void anEmptyQueueSaysSo() {
        try (BuildFixture empty = BuildFixture.withParties()) {
            Browser.Tab tab = reviewer(empty);
            assertThat(tab.page().locator("#review-empty")).hasText("No builds waiting for review.");
            Browser.screenshot(tab.page(), "reviews-empty");
            tab.assertNoErrors();
        }
    }

    @Test
    void aDeveloperGetsTheNotAllowedPage() {
        Browser.Tab tab = signedIn(w, BuildFixture.DEV);
        Page page = tab.page();

        com.microsoft.playwright.Response response = page.navigate("/reviews");

        org.assertj.core.api.Assertions.assertThat(response.status()).isEqualTo(403);
        assertThat(page.locator("main h1")).hasText("Not allowed");
        assertThat(page.locator("#review-queue")).hasCount(0);
        tab.assertNoErrors();
    }
}
