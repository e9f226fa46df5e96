package dev.drydock.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.ColorScheme;
import dev.drydock.image.TestTar;
import dev.drydock.platform.jobs.BuildTester;
import dev.drydock.server.BuildFixture;
import dev.drydock.server.TestDrydock;
import dev.drydock.server.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The build page in real Chromium on real builds: a build failing a manifest check, one with vulnerable npm packages
 * matched against OSV advisories imported through the admin API (one carrying markup in its description and a
 * {@code javascript:} link), the lifecycle actions through the page, and a build that turns available while open.
 */
class BuildPageTest {
    private static final String XSS = "<img src=x onerror=window.__xss=1>";
    private static final CountDownLatch RELEASE = new CountDownLatch(1);
    /** Builds tagged hold-… stay in testing until the test releases them. */
    private static final UnaryOperator<BuildTester> HOLD = tester -> (build, run) -> {
        if (build.tag() != null && build.tag().startsWith("hold")) RELEASE.await();
        return tester.test(build, run);
    };
    private static BuildFixture f;
    private static TestDrydock d;
    private static Browser browser;
    private static BuildFixture.Owner robot;

    @BeforeAll
    static void start() throws IOException {
        browser = Browser.launch();
        // a short heartbeat, so the server notices a closed event stream quickly
        f = BuildFixture.withParties(Map.of("worker.concurrency", "2", "sse.heartbeat", "200ms"), HOLD);
        d = f.d;
        robot = new BuildFixture.Owner(BuildFixture.ORG, BuildFixture.ROBOT, f.robotToken);
        HttpResponse<String> imported = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/vulndb/imports?format=osv&source=ui-test"))
                .header("Authorization", f.admin()).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(advisories())).build());
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        assertThat(BuildFixture.parse(imported.body()).get("read").asInt()).isEqualTo(3);
    }

    @AfterAll
    static void stop() {
        RELEASE.countDown();
        if (f != null) f.close();
        if (browser != null) browser.close();
    }

    /**
     * Three OSV records for npm packages: High with a vendor word but CVSS 9.8, markup in its details and a javascript:
     * link; Medium (5.3) with no fixed version and a formula as its details; Low by the vendor's word with CVSS v2 7.5.
     * So severity order (High, Medium, Low) and CVSS order (5.3, 7.5, 9.8) differ.
     */
    static byte[] advisories() throws IOException {
        List<String> records = List.of("""
                {"id":"DRY-2099-0001","modified":"2026-01-01T00:00:00Z","aliases":["CVE-2099-0001"],
                 "details":"Drydock test advisory: \\"quoted\\" text, with a comma %s",
                 "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
                 "affected":[{"package":{"ecosystem":"npm","name":"evil-pkg"},
                   "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}]}],
                 "references":[{"type":"ADVISORY","url":"javascript:window.__xss=1"}],
                 "database_specific":{"severity":"HIGH"}}""".formatted(XSS), """
                {"id":"DRY-2099-0002","modified":"2026-01-01T00:00:00Z","aliases":["CVE-2099-0002"],
                 "details":"=HYPERLINK(\\"http://evil.test\\")",
                 "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"}],
                 "affected":[{"package":{"ecosystem":"npm","name":"left-pad"},
                   "ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}],
                 "references":[{"type":"WEB","url":"https://example.test/CVE-2099-0002"}],
                 "database_specific":{"severity":"MODERATE"}}""", """
                {"id":"DRY-2099-0003","modified":"2026-01-01T00:00:00Z","aliases":["CVE-2099-0003"],
                 "summary":"left-pad pads to the left on a Tuesday",
                 "severity":[{"type":"CVSS_V2","score":"AV:N/AC:L/Au:N/C:P/I:P/A:P"}],
                 "affected":[{"package":{"ecosystem":"npm","name":"left-pad"},
                   "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.3.0"}]}]}],
                 "database_specific":{"severity":"LOW"}}""");
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            for (int i = 0; i < records.size(); i++) {
                out.putNextEntry(new ZipEntry("DRY-2099-000" + (i + 1) + ".json"));
                out.write(records.get(i).getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return zip.toByteArray();
    }

    /** Registers the adapter in the org and pushes the image; waits until testing ends in {@code state}. */
    private static String pushed(String name, TestImages.Built image, String state) {
        f.register(name);
        String id = f.buildOf(name, f.push(robot, name, image, "1.0"));
        f.awaitState(id, state);
        return id;
    }

    private static Page open(String buildId, ColorScheme scheme, List<Browser.Tab> tabs) {
        Browser.Tab tab = browser.open(d, scheme);
        tabs.add(tab);
        signInTo(tab.page(), "/builds/" + buildId, BuildFixture.DEV);
        return tab.page();
    }

    /**
     * Opens the page signed out and signs in from there (the sign-in page sends the browser back to it): signing in
     * first would race the start page's own redirect to the organization.
     */
    static void signInTo(Page page, String path, String email) {
        page.navigate(path);
        Browser.submitSignIn(page, email, TestDrydock.PASSWORD);
        assertThat(page).hasURL(d.url() + path);
    }

    private static List<String> sorted(JsonNode actions) {
        List<String> list = new ArrayList<>();
        actions.forEach(a -> list.add(a.asText()));
        list.sort(null);
        return list;
    }

    private static Locator actionButtons(Page page) {
        return page.locator(".build-actions button[data-action]");
    }

    private static List<String> offered(Page page) {
        List<String> list = new ArrayList<>(actionButtons(page).all().stream().map(b -> b.getAttribute("data-action")).toList());
        list.sort(null);
        return list;
    }

    @Test
    void aFailedBuildShowsItsFailingCheckFirstWithTheFix() {
        String id = pushed("broken-manifest", TestImages.image()
                .layer(TestImages.adapterLayer("{\"category\": pull}", "#!/bin/sh\n"), "COPY . /").build(), "invalid");
        List<Browser.Tab> tabs = new ArrayList<>();
        Page page = open(id, ColorScheme.LIGHT, tabs);

        assertThat(page.locator("h1")).hasText("broken-manifest:1.0");
        assertThat(page.locator(".page-head .chip")).hasText("invalid");
        assertThat(page.locator("#verdict")).containsText("Failed");
        assertThat(page.locator("#verdict li")).containsText("/var/manifest.json is not valid JSON");
        assertThat(page.locator("#check-counts")).containsText("1 failed");
        Locator first = page.locator("ol.checks > li").first();
        assertThat(first).hasAttribute("data-check", "manifest.valid");
        assertThat(first.locator(".chip")).hasText("failed");
        assertThat(first.locator(".check-message")).containsText("fix the syntax (check it with: jq . manifest.json)");
        // the later checks that could not look are skipped, the passing ones listed after the failure
        assertThat(page.locator("ol.checks > li[data-verdict=passed]").first()).isVisible();
        assertThat(page.locator("ol.checks > li[data-check='image.platform'] .chip")).hasText("passed");
        // evidence is a folded key/value list
        Locator evidence = page.locator("ol.checks details.evidence").first();
        assertThat(evidence).not().hasAttribute("open", "");
        evidence.locator("summary").click();
        assertThat(evidence.locator("dl.kv dt").first()).isVisible();

        // the digest in full, the adapter linked, the report downloadable
        JsonNode build = f.build(id);
        assertThat(page.locator("#digest")).hasText(build.get("digest").asText());
        assertThat(page.locator("#adapter-link")).hasAttribute("href", "/adapters/" + build.get("engineId").asText());
        assertThat(page.locator("#download-report")).hasAttribute("href", "/api/v1/builds/" + id + "/report");
        page.locator("#view-report-json").click();
        assertThat(page.locator("#report-json")).hasAttribute("open", "");
        assertThat(page.locator("#report-json pre")).containsText("\"build\": \"" + id + "\"");
        // the scan ran (nothing found), the sandbox did not (sandbox.engine=none in tests)
        assertThat(page.locator("#vulns-none")).hasText("No known vulnerabilities found.");
        assertThat(page.locator("#log-none")).isVisible();
        assertThat(page.locator("#network-none")).isVisible();
        assertThat(page.locator("#api-calls-none")).isVisible();
        // the org switcher follows the build's organization
        assertThat(page.locator("#org-switcher")).hasValue(String.valueOf(BuildFixture.ORG));
        // exactly the allowed actions
        assertThat(actionButtons(page).first()).isVisible();
        assertThat(offered(page)).isEqualTo(sorted(build.get("allowedActions")));
        Browser.screenshot(page, "build-failed-checks");
        tabs.forEach(Browser.Tab::assertNoErrors);
    }

    @Test
    void aBuildThatWasNotScannedSaysSoRatherThanNothingFound() {
        String id = f.prepare("arm-only", "invalid"); // no linux/amd64 image: nothing after image.platform looks
        List<Browser.Tab> tabs = new ArrayList<>();
        Page page = open(id, ColorScheme.LIGHT, tabs);
        assertThat(page.locator("ol.checks > li").first()).hasAttribute("data-check", "image.platform");
        assertThat(page.locator("#vulns-not-scanned")).containsText("Not scanned");
        assertThat(page.locator("#vulns-none")).hasCount(0);
        tabs.forEach(Browser.Tab::assertNoErrors);
    }

    @Test
    void vulnerabilitiesSortFilterExportAndRenderAdvisoryTextAsText() throws IOException {
        String id = pushed("npm-app", TestImages.image()
                .layer(TestImages.adapterLayer(TestImages.GOOD_MANIFEST, "#!/bin/sh\n"), "COPY . /")
                .layer(new TestTar().dir("app").dir("app/node_modules").dir("app/node_modules/evil-pkg").dir("app/node_modules/left-pad")
                        .file("app/node_modules/evil-pkg/package.json", "{\"name\":\"evil-pkg\",\"version\":\"1.0.0\"}")
                        .file("app/node_modules/left-pad/package.json", "{\"name\":\"left-pad\",\"version\":\"1.1.0\"}"),
                        "RUN npm ci")
                .build(), "available");
        JsonNode report = f.report(id, f.dev());
        assertThat(report.get("vulnerabilities")).hasSize(3);
        List<Browser.Tab> tabs = new ArrayList<>();
        Page page = open(id, ColorScheme.LIGHT, tabs);

        assertThat(page.locator("#verdict")).containsText("Passed");
        // the summary's numbers are the report's counts
        report.get("vulnerabilityCounts").fields().forEachRemaining(e ->
                assertThat(page.locator(".sev-legend li[data-severity=" + e.getKey() + "] .count")).hasText(e.getValue().asText()));
        assertThat(page.locator(".sev-summary .total")).hasText("3 known vulnerabilities");
        assertThat(page.locator(".summary-bar > span")).hasCount(3);

        Locator cves = page.locator("#vuln-table tbody tr > td:first-child > a");
        Locator severityHeader = page.locator("#vuln-table th[data-column=severity]");
        Locator cvssHeader = page.locator("#vuln-table th[data-column=cvss]");
        // most severe first by default; by CVSS numerically; by severity rank
        assertThat(severityHeader).hasAttribute("aria-sort", "descending");
        assertThat(cves).hasText(new String[]{"CVE-2099-0001", "CVE-2099-0002", "CVE-2099-0003"});
        cvssHeader.locator("button").click();
        assertThat(cvssHeader).hasAttribute("aria-sort", "ascending");
        assertThat(severityHeader).not().hasAttribute("aria-sort", Pattern.compile(".*"));
        assertThat(cves).hasText(new String[]{"CVE-2099-0002", "CVE-2099-0003", "CVE-2099-0001"});
        assertThat(page.locator("#vuln-table tbody tr > td:nth-child(3)")).hasText(new String[]{"5.3", "7.5", "9.8"});
        cvssHeader.locator("button").click();
        assertThat(cves).hasText(new String[]{"CVE-2099-0001", "CVE-2099-0003", "CVE-2099-0002"});
        severityHeader.locator("button").click();
        assertThat(severityHeader).hasAttribute("aria-sort", "ascending");
        assertThat(cves).hasText(new String[]{"CVE-2099-0003", "CVE-2099-0002", "CVE-2099-0001"});
        // fixed in / not fixed, package, the Dockerfile step
        Locator medium = page.locator("#vuln-table tr[data-cve=CVE-2099-0002]");
        assertThat(medium.locator("td").nth(5)).hasText("not fixed");
        assertThat(medium.locator("td").nth(3)).hasText("left-pad");
        assertThat(medium.locator("td").nth(6)).hasText("RUN npm ci");

        // the CSV of the rows shown, in their order (lowest CVSS first)
        cvssHeader.locator("button").click();
        List<String> all = csv(page);
        assertThat(all.getFirst()).isEqualTo("\"CVE\",\"Severity\",\"CVSS\",\"Package\",\"Installed version\",\"Fixed in\","
                + "\"Layer / Dockerfile step\",\"Allowlisted\",\"Link\",\"Description\"");
        assertThat(all).hasSize(4);
        assertThat(all.get(1)).startsWith("\"CVE-2099-0002\",\"Medium\",\"5.3\",\"left-pad\",\"1.1.0\",\"not fixed\",\"RUN npm ci\",\"\",")
                .endsWith(",\"'=HYPERLINK(\"\"http://evil.test\"\")\"");
        assertThat(all.get(3)).startsWith("\"CVE-2099-0001\",\"High\",\"9.8\",\"evil-pkg\",\"1.0.0\",\"1.2.0\",")
                .endsWith("\"Drydock test advisory: \"\"quoted\"\" text, with a comma " + XSS + "\"");

        // filters: by severity, then by text; the export follows them
        page.locator("#vuln-severity").selectOption("Medium");
        assertThat(cves).hasText(new String[]{"CVE-2099-0002"});
        assertThat(csv(page)).hasSize(2);
        page.locator("#vuln-severity").selectOption("");
        page.getByLabel("Search").fill("tuesday");
        assertThat(cves).hasText(new String[]{"CVE-2099-0003"});
        page.getByLabel("Search").fill("evil-pkg");
        assertThat(cves).hasText(new String[]{"CVE-2099-0001"});
        assertThat(page.locator("#vuln-shown")).hasText("Showing 1 of 3");

        // advisory text is text, an advisory's javascript: link is inert
        Locator evil = page.locator("#vuln-table tr[data-cve=CVE-2099-0001]");
        evil.locator("details.vuln-desc summary").click();
        assertThat(evil.locator("details.vuln-desc p").first()).containsText(XSS);
        assertThat(evil.locator("img")).hasCount(0);
        assertThat(evil.locator("td:first-child > a")).hasAttribute("href", "#");
        evil.locator("td:first-child > a").click();
        assertThat(page.evaluate("() => window.__xss")).isNull();
        Browser.screenshot(page, "build-vulnerabilities-filtered");

        Page dark = open(id, ColorScheme.DARK, tabs);
        assertThat(dark.locator("#vuln-table tbody tr")).hasCount(3);
        Browser.screenshot(dark, "build-passed-dark");
        Page light = open(id, ColorScheme.LIGHT, tabs);
        assertThat(light.locator("#vuln-table tbody tr")).hasCount(3);
        Browser.screenshot(light, "build-passed");
        assertThat(light.evaluate("() => window.__xss")).isNull();

        // an org admin allowlists one finding; after a retest the table names the reason and the expiry
        String until = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(30).toString();
        d.api("POST", "/api/v1/orgs/" + BuildFixture.ORG + "/vulnerability-allowlist", f.auth(BuildFixture.Party.orgAdmin),
                Map.of("id", "CVE-2099-0002", "expires", until, "reason", "not reachable " + XSS), 201);
        f.act(f.dev(), id, "retest", null, 200);
        f.awaitState(id, "available");
        light.reload();
        Locator allowlisted = light.locator("#vuln-table tr[data-cve=CVE-2099-0002] td").nth(7);
        assertThat(allowlisted).containsText("not reachable " + XSS);
        assertThat(allowlisted).containsText("(until " + until + ")");
        assertThat(light.locator("#vuln-table img")).hasCount(0);
        assertThat(light.evaluate("() => window.__xss")).isNull();
        tabs.forEach(Browser.Tab::assertNoErrors);
    }

    /** Clicks Export CSV; the downloaded file's lines (RFC 4180: CRLF-terminated). */
    private static List<String> csv(Page page) throws IOException {
        Download download = page.waitForDownload(() -> page.locator("#vuln-export").click());
        assertThat(download.suggestedFilename()).endsWith("-vulnerabilities.csv");
        String text = Files.readString(download.path(), StandardCharsets.UTF_8);
        assertThat(text).endsWith("\r\n");
        return List.of(text.substring(0, text.length() - 2).split("\r\n", -1));
    }

    @Test
    void actionsAreTheAllowedOnesAndSubmitAndDisapproveMoveTheBuildOnThePage() {
        String id = f.prepare("acting-app", "available");
        List<Browser.Tab> tabs = new ArrayList<>();
        Page page = open(id, ColorScheme.LIGHT, tabs);
        assertThat(page.locator(".page-head .chip")).hasText("available");
        assertThat(actionButtons(page)).hasText(new String[]{"Submit", "Retest", "Delete"});
        assertThat(offered(page)).isEqualTo(sorted(f.build(id).get("allowedActions")));

        page.locator("button[data-action=submit]").click();
        assertThat(page.locator(".page-head .chip")).hasText("submitted");
        assertThat(actionButtons(page)).hasCount(0);
        assertThat(page.locator("#history > li")).hasCount(4);
        assertThat(page.locator("#history > li").last()).containsText("submit");
        assertThat(page.locator("#history > li").last()).containsText("available → submitted");
        assertThat(page.locator("#history > li").last()).containsText(BuildFixture.DEV);

        // a reviewer disapproves: the reason is required, and shows as text in the timeline
        Browser.Tab reviewerTab = browser.open(d);
        tabs.add(reviewerTab);
        Page reviewer = reviewerTab.page();
        signInTo(reviewer, "/builds/" + id, BuildFixture.REVIEWER);
        assertThat(actionButtons(reviewer).first()).isVisible();
        assertThat(offered(reviewer)).isEqualTo(sorted(f.build(id, f.reviewer()).get("allowedActions")));
        reviewer.locator("button[data-action=disapprove]").click();
        Locator dialog = reviewer.locator("dialog.confirm");
        dialog.locator("button[type=submit]").click();
        assertThat(dialog.locator(".field-error")).hasText("A reason is required: the developer reads it.");
        dialog.locator("textarea").fill("needs a README " + XSS);
        dialog.locator("button[type=submit]").click();
        assertThat(reviewer.locator(".page-head .chip")).hasText("disapproved");
        Locator last = reviewer.locator("#history > li").last();
        assertThat(last).hasAttribute("data-action", "disapprove");
        assertThat(last.locator(".reason")).hasText("needs a README " + XSS);
        assertThat(reviewer.locator("#history img")).hasCount(0);
        assertThat(reviewer.evaluate("() => window.__xss")).isNull();
        assertThat(reviewer.locator("#history > li").allTextContents().stream().map(t -> t.split(" ")[0]).toList())
                .containsExactly("push", "fetch", "tested", "submit", "disapprove");
        Browser.screenshot(reviewer, "build-history-disapproved");
        tabs.forEach(Browser.Tab::assertNoErrors);
    }

    /**
     * Vulnerability monitoring on the pages: an approved build whose npm package had no advisory when it was tested; an
     * advisory imported afterwards makes the build page and the adapter's builds list show "vulnerable since <date>:
     * 1 new finding", linking to the build's vulnerabilities, where the finding is listed.
     */
    @Test
    void aReleasedBuildFoundVulnerableAfterAnImportShowsItsBadge() throws IOException {
        f.register("late-app");
        TestImages.Built image = TestImages.image()
                .layer(TestImages.adapterLayer(TestImages.GOOD_MANIFEST, "#!/bin/sh\n"), "COPY . /")
                .layer(new TestTar().dir("app").dir("app/node_modules").dir("app/node_modules/late-pkg")
                        .file("app/node_modules/late-pkg/package.json", "{\"name\":\"late-pkg\",\"version\":\"2.0.0\"}"), "RUN npm ci")
                .build();
        String id = f.buildOf("late-app", f.push(robot, "late-app", image, "1.0"));
        f.awaitState(id, "available");
        f.act(f.dev(), id, "submit", null, 200);
        f.act(f.reviewer(), id, "approve", null, 200);
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry("DRY-2099-0009.json"));
            out.write("""
                    {"id":"DRY-2099-0009","modified":"2026-01-01T00:00:00Z","aliases":["CVE-2099-0009"],
                     "summary":"late-pkg found wanting after release",
                     "affected":[{"package":{"ecosystem":"npm","name":"late-pkg"},
                       "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"2.0.1"}]}]}],
                     "database_specific":{"severity":"CRITICAL"}}""".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        HttpResponse<String> imported = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/vulndb/imports?format=osv&source=ui-test-late"))
                .header("Authorization", f.admin()).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(zip.toByteArray())).build());
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        await().atMost(BuildFixture.WAIT).until(() -> !f.build(id).get("vulnerable").isNull());

        List<Browser.Tab> tabs = new ArrayList<>();
        Page page = open(id, ColorScheme.LIGHT, tabs);
        Locator badge = page.locator(".page-head a.vuln-badge");
        assertThat(badge).hasText(Pattern.compile("^vulnerable since .+: 1 new finding$"));
        assertThat(badge).hasAttribute("href", "/builds/" + id + "#section-vulnerabilities");
        assertThat(page.locator("#monitored-findings tbody tr")).hasCount(1);
        assertThat(page.locator("#monitored-findings tbody tr td").first()).containsText("CVE-2099-0009");
        assertThat(page.locator("#monitored-findings tbody tr")).containsText("late-pkg");
        assertThat(page.locator("#monitored-findings tbody tr")).containsText("2.0.1");

        page.navigate("/adapters/" + f.build(id).get("engineId").asText());
        Locator row = page.locator("tr[data-build-id='" + id + "']");
        assertThat(row.locator("a.vuln-badge")).hasText(Pattern.compile("^vulnerable since .+: 1 new finding$"));
        row.locator("a.vuln-badge").click();
        assertThat(page).hasURL(d.url() + "/builds/" + id + "#section-vulnerabilities");
        assertThat(page.locator("#monitored-findings")).isVisible();
        tabs.forEach(Browser.Tab::assertNoErrors);
    }

    @Test
    void aBuildInTestingTurnsAvailableOnThePageWithoutAReload() {
        f.register("live-app");
        String id = f.buildOf("live-app", f.push(robot, "live-app", TestImages.newAdapter("amd64"), "hold-1"));
        List<Browser.Tab> tabs = new ArrayList<>();
        Page page = open(id, ColorScheme.LIGHT, tabs);
        assertThat(page.locator(".page-head .chip")).hasText(Pattern.compile("pending|fetching"));
        assertThat(page.locator("#verdict")).containsText("Testing");
        assertThat(page.locator("#vuln-table, #vulns-none")).hasCount(0);
        Browser.screenshot(page, "build-testing");
        page.evaluate("() => { window.__samePage = true; }");
        await("the page's event stream").atMost(Duration.ofSeconds(10)).until(() -> d.server().eventStreams().openStreams() == 1);

        RELEASE.countDown();
        assertThat(page.locator(".page-head .chip")).hasText("available", new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions().setTimeout(90_000));
        assertThat(page.locator("#verdict")).containsText("Passed");
        assertThat(page.locator("#vulns-none, #vuln-table")).hasCount(1);
        assertThat(page.evaluate("() => window.__samePage")).isEqualTo(true);
        // the build is final: the page closed its stream (the server drops it at its next heartbeat)
        await("the stream closed").atMost(Duration.ofSeconds(10)).until(() -> d.server().eventStreams().openStreams() == 0);
        tabs.forEach(Browser.Tab::assertNoErrors);
    }
}
