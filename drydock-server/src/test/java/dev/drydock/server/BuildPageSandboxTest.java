package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import dev.drydock.server.ui.Browser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The build page's sandbox sections (test log, network usage, API calls) on a real sandbox run: the busybox example
 * adapter, built with buildah and run with podman as in {@link SandboxE2ETest}, writing a line of markup to its log.
 * In this package for {@link SandboxAdapters}; needs what {@link SandboxE2ETest} needs (it skips without it locally).
 */
class BuildPageSandboxTest {
    private static final String XSS = "<img src=x onerror=window.__xss=1>";
    static TestDrydock d;
    static BuildFixture fx;
    static BuildFixture.Owner owner;
    static Path tmp;
    static SandboxAdapters adapters;
    static Browser browser;

    @BeforeAll
    static void start() throws IOException {
        SandboxE2ETest.require();
        tmp = Files.createTempDirectory("drydock-build-page-sandbox");
        adapters = new SandboxAdapters(new Tools(Map.of(), tmp.resolve("tool-output")), tmp);
        d = BuildFixture.start(Map.of("sandbox.engine", "podman", "test.timeout", "90s", "storage.fsync", "false"));
        fx = new BuildFixture(d);
        owner = fx.orgWithRobot(17532);
        d.addMember(17532, "dev@acme.test", "developer");
        browser = Browser.launch();
    }

    @AfterAll
    static void stop() throws IOException {
        if (browser != null) browser.close();
        if (d != null) d.close();
        if (tmp != null) {
            try (Stream<Path> walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void theRunsLogNetworkUseAndApiCallsShowAsText() throws IOException {
        String engineId = fx.registerAdapter(owner, "busybox-pull-adapter");
        String example = Files.readString(Path.of("..", "examples", "busybox-pull-adapter", "adapter.sh"));
        String start = "echo \"Starting ingest of $SOURCE\"";
        assertThat(example).contains(start);
        String script = example.replace(start, start + "\necho '" + XSS + "'");
        adapters.build("busybox-pull-adapter", adapters.context("busybox-pull-adapter", engineId, script));
        String digest = adapters.push("busybox-pull-adapter", d.host(), "busybox-pull-adapter", owner.login(), owner.secret());
        String id = fx.buildId(engineId, digest, owner.auth());
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(250)).until(() ->
                List.of("available", "invalid").contains(fx.build(id, owner.auth()).get("state").asText()));
        JsonNode report = fx.report(id, owner.auth());
        List<String> log = new ArrayList<>();
        report.get("testLog").forEach(l -> log.add(l.asText()));
        assertThat(log).contains(XSS);

        Browser.Tab tab = browser.open(d);
        tab.context().grantPermissions(List.of("clipboard-read", "clipboard-write"));
        Page page = tab.page();
        page.navigate("/builds/" + id); // signed out: the sign-in page sends the browser back here
        Browser.submitSignIn(page, "dev@acme.test", TestDrydock.PASSWORD);

        // the log: every line numbered, markup shown as text, a filter that keeps the numbers, a copy button
        Locator lines = page.locator("#test-log > li");
        assertThat(lines).hasCount(log.size());
        assertThat(lines.first()).hasAttribute("value", "1");
        int xssLine = log.indexOf(XSS);
        assertThat(lines.nth(xssLine)).hasText(XSS);
        assertThat(page.locator(".log img")).hasCount(0);
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Copy log")).click();
        assertThat(page.evaluate("() => navigator.clipboard.readText()")).isEqualTo(String.join("\n", log));
        page.getByLabel("Filter").fill("onerror");
        assertThat(page.locator("#test-log > li:visible")).hasCount(1);
        assertThat(page.locator("#test-log > li:visible")).hasAttribute("value", String.valueOf(xssLine + 1));
        page.locator("section[aria-labelledby=section-test-log]").screenshot(new Locator.ScreenshotOptions()
                .setPath(Browser.SCREENSHOTS.resolve("build-test-log.png")));
        page.getByLabel("Filter").fill("");
        assertThat(page.locator("#test-log > li:visible")).hasCount(log.size());

        // network usage: the model, every destination, the totals
        JsonNode usage = report.get("networkUsage");
        assertThat(page.locator("#network dl.facts dd").first()).hasText(usage.get("deploymentModel").asText());
        assertThat(page.locator("#network-table tbody tr")).hasCount(usage.get("destinations").size());
        assertThat(page.locator("#network-table tbody tr td:nth-child(3)").first()).hasText(usage.get("destinations").get(0).get("via").asText());
        assertThat(page.locator("#network-rx span")).hasAttribute("title", usage.get("rxBytes").asText() + " bytes");
        assertThat(page.locator("#network-tx span")).hasAttribute("title", usage.get("txBytes").asText() + " bytes");
        page.locator("section[aria-labelledby=section-network-usage]").screenshot(new Locator.ScreenshotOptions()
                .setPath(Browser.SCREENSHOTS.resolve("build-network-usage.png")));

        // no advisory data here: "none found" comes with the check's caveat
        assertThat(page.locator("#vulns-caveat")).containsText("no vulnerability data imported");

        // the API calls the adapter made (run.task's evidence)
        JsonNode calls = null;
        for (JsonNode c : report.get("checks")) if (c.get("id").asText().equals("run.task")) calls = c.get("evidence").get("apiCalls");
        assertThat(calls).isNotNull();
        assertThat(page.locator("#api-calls tbody tr")).hasCount(calls.size());
        assertThat(page.locator("#api-calls tbody")).containsText("updateTask");
        page.locator("section[aria-labelledby=section-api-calls]").screenshot(new Locator.ScreenshotOptions()
                .setPath(Browser.SCREENSHOTS.resolve("build-api-calls.png")));
        Browser.screenshot(page, "build-sandbox-run");
        assertThat(page.evaluate("() => window.__xss")).isNull();
        tab.assertNoErrors();
    }
}
