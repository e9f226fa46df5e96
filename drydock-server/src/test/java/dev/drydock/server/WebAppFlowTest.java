package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import dev.drydock.compliance.ShippedSchema;
import dev.drydock.server.ui.Browser;
import dev.drydock.testkit.Prerequisites;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static dev.drydock.server.BuildFixture.DEV;
import static dev.drydock.server.BuildFixture.ORG;
import static dev.drydock.server.BuildFixture.REVIEWER;
import static dev.drydock.server.BuildFixture.STRANGER;

/**
 * The whole Developer App flow as a developer and a reviewer live it, in real Chromium against a real Drydock: register
 * an adapter, push builds with podman using the commands the upload panel shows, watch them get tested live, submit,
 * approve, deploy (the second deploy pauses the first), download a report, see a failing build's fix, and that a
 * member of another organization and a cross-site form get nowhere. In this package for {@link ContainerStore} and
 * {@link Tools} (podman with private storage, as {@link RealClientsTest}); skipped locally without podman.
 */
class WebAppFlowTest {
    private static final String ADAPTER = "flow-adapter";
    /** Long enough for a push to be tested on a busy 2-core CI machine. */
    private static final LocatorAssertions.HasTextOptions TESTED =
            new LocatorAssertions.HasTextOptions().setTimeout(BuildFixture.WAIT.toMillis());

    @TempDir
    static Path tmp;
    private static BuildFixture w;
    private static Browser browser;
    private static Tools tools;
    private static ContainerStore store;
    private static Path authFile;
    private static int screenshotsTaken;

    @BeforeAll
    static void start() throws IOException {
        Prerequisites.requireTools("podman");
        tools = ContainerStore.tools(tmp);
        store = new ContainerStore(tmp.resolve("store"));
        authFile = tmp.resolve("auth.json");
        browser = Browser.launch();
        w = BuildFixture.withParties();
    }

    @AfterAll
    static void stop() {
        if (w != null) w.close();
        if (browser != null) browser.close();
    }

    @Test
    void aDeveloperPushesWithTheShownCommandsAndAReviewerApprovesUntilDeployed() throws IOException {
        List<Browser.Tab> tabs = new ArrayList<>();

        // 1. the developer registers the adapter on the organization's page and lands on the adapter's page
        Browser.Tab devTab = signedIn(DEV, tabs);
        Page dev = devTab.page();
        assertThat(dev).hasURL(w.d.url() + "/orgs/" + ORG);
        dev.locator("#register-name").fill(ADAPTER);
        screenshot(dev, "register-adapter");
        dev.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Register adapter")).click();
        dev.waitForURL(url -> url.contains("/adapters/"));
        String engineId = dev.url().substring(dev.url().lastIndexOf('/') + 1);
        assertThat(dev.locator("main h1")).hasText(ADAPTER);

        // 2.–3. push 1.0 with the panel's commands; the list shows it and turns it available without a reload
        String first = pushFromPanel(dev, "1.0", TestImages.adapter("flow 1.0 " + UUID.randomUUID()), "available", true);
        assertThat(row(dev, first).locator("td").nth(2)).hasText(DEV);

        // 4. its page: passed; the developer submits it
        row(dev, first).getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("1.0")).click();
        dev.waitForURL(w.d.url() + "/builds/" + first);
        assertThat(dev.locator("main h1")).hasText(ADAPTER + ":1.0");
        assertThat(dev.locator("#verdict")).containsText("Passed");
        assertThat(dev.locator(".page-head .chip")).hasText("available");
        // no advisory data imported in tests: the scan's caveat is a warning, as its check says, not a failure
        assertThat(dev.locator("#vulns-caveat")).hasClass(java.util.regex.Pattern.compile("\\balert-warning\\b"));
        assertThat(dev.locator("#vulns-caveat")).containsText("warning: no vulnerability data imported");
        screenshot(dev, "build-passed");
        dev.locator(".build-actions button[data-action=submit]").click();
        assertThat(dev.locator(".page-head .chip")).hasText("submitted");

        // 5. the reviewer approves it from the queue
        Browser.Tab reviewerTab = signedIn(REVIEWER, tabs);
        Page reviewer = reviewerTab.page();
        approveInQueue(reviewer, first, true);

        // 6. the developer, reloading, deploys it
        dev.reload();
        assertThat(dev.locator(".page-head .chip")).hasText("approved");
        dev.locator(".build-actions button[data-action=deploy]").click();
        Browser.dialogButton(dev, "Deploy").click();
        assertThat(dev.locator(".page-head .chip")).hasText("deployed");

        // 7. a second build: pushed, submitted and deployed from the list; deploying it pauses the first
        dev.locator("#adapter-link").click();
        dev.waitForURL(w.d.url() + "/adapters/" + engineId);
        String second = pushFromPanel(dev, "1.1", TestImages.adapter("flow 1.1 " + UUID.randomUUID()), "available", false);
        Browser.choose(row(dev, second), "Submit");
        assertThat(row(dev, second).locator(".chip")).hasText("submitted");
        approveInQueue(reviewer, second, false);
        assertThat(row(dev, second).locator(".chip")).hasText("approved"); // the reviewer's change, drawn live
        Browser.choose(row(dev, second), "Deploy");
        Browser.dialogButton(dev, "Deploy").click();
        assertThat(row(dev, second).locator(".chip")).hasText("deployed");
        assertThat(row(dev, first).locator(".chip")).hasText("paused");
        // the notice at the bottom right does not block what it covers: the last row's ⋮ menu, scrolled under it, takes clicks
        assertThat(dev.locator("#notices .notice").last()).containsText("deploy done");
        @SuppressWarnings("unchecked")
        Map<String, Object> underNotice = (Map<String, Object>) row(dev, first).locator(".menu-button").evaluate("""
                button => {
                  button.closest('tr').scrollIntoView({block: 'end'});
                  const r = button.getBoundingClientRect();
                  const n = document.querySelector('#notices .notice:last-child').getBoundingClientRect();
                  return {covered: n.left < r.right && r.left < n.right && n.top < r.bottom && r.top < n.bottom,
                          clickable: button.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2))};
                }""");
        org.assertj.core.api.Assertions.assertThat(underNotice).as("a ⋮ button under a notice").containsEntry("covered", true)
                .containsEntry("clickable", true);
        assertThat(dev.locator("#adapter-state .chip")).hasText("active");
        org.assertj.core.api.Assertions.assertThat(dev.evaluate("window.__sameDocument")).isEqualTo(true);
        org.assertj.core.api.Assertions.assertThat(w.state(first)).isEqualTo("paused");
        org.assertj.core.api.Assertions.assertThat(w.state(second)).isEqualTo("deployed");
        screenshot(dev, "deployed-and-paused");

        // 8. the report of 1.1 from the list's ⋮ menu: the shipped schema, its fields, their order
        Download download = dev.waitForDownload(() -> Browser.choose(row(dev, second), "Download build report"));
        String text = Files.readString(download.path());
        org.assertj.core.api.Assertions.assertThat(ShippedSchema.REPORT.violations(text)).isEmpty();
        JsonNode report = BuildFixture.parse(text);
        List<String> fields = new ArrayList<>();
        report.fieldNames().forEachRemaining(fields::add);
        org.assertj.core.api.Assertions.assertThat(fields).startsWith("engineId", "build", "uploadTime", "user", "image");
        org.assertj.core.api.Assertions.assertThat(report.get("engineId").asText()).isEqualTo(engineId);
        org.assertj.core.api.Assertions.assertThat(report.get("build").asText()).isEqualTo(second);
        org.assertj.core.api.Assertions.assertThat(report.get("image").asText())
                .isEqualTo(w.d.host() + "/" + ORG + "/" + ADAPTER + ":1.1");
        org.assertj.core.api.Assertions.assertThat(report.get("user").asText()).isEqualTo(DEV);
        org.assertj.core.api.Assertions.assertThat(report.get("uploadTime").asLong())
                .isEqualTo(w.build(second).get("uploadTime").asLong());
        org.assertj.core.api.Assertions.assertThat(report.get("success").asBoolean()).isTrue();
        org.assertj.core.api.Assertions.assertThat(report.get("checks")).isNotEmpty();

        // 9. a build whose manifest is not JSON: invalid in the list, its page names the failing check and the fix
        String bad = pushFromPanel(dev, "2.0-bad", TestImages.image()
                .layer(TestImages.adapterLayer("{\"category\": pull}", "#!/bin/sh\n"), "COPY . /").build(), "invalid", false);
        row(dev, bad).getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("2.0-bad")).click();
        dev.waitForURL(w.d.url() + "/builds/" + bad);
        assertThat(dev.locator("#verdict")).containsText("Failed");
        Locator failing = dev.locator("ol.checks > li").first();
        assertThat(failing).hasAttribute("data-check", "manifest.valid");
        assertThat(failing.locator(".chip")).hasText("failed");
        assertThat(failing.locator(".check-message")).containsText("fix the syntax (check it with: jq . manifest.json)");
        // compared with 1.1, under one heading
        assertThat(dev.locator("section.changes .changes-against")).containsText("Compared with 1.1");
        assertThat(dev.locator("main h2").filter(new Locator.FilterOptions().setHasText("since the last build"))).hasCount(1);
        screenshot(dev, "invalid-build");

        // the organization's adapters list: the adapter is active (a build of it is deployed)
        dev.locator("#adapter-link").click();
        dev.waitForURL(w.d.url() + "/adapters/" + engineId);
        dev.getByRole(AriaRole.NAVIGATION, new Page.GetByRoleOptions().setName("Breadcrumb"))
                .getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("Adapters")).click();
        dev.waitForURL(w.d.url() + "/orgs/" + ORG);
        Locator listed = dev.locator("#adapters tr[data-engine-id='" + engineId + "']");
        assertThat(listed.locator("a")).hasText(ADAPTER);
        assertThat(listed.locator(".chip")).hasText("active");
        screenshot(dev, "adapters-list");

        // 10. a member of another organization sees neither the build nor the adapter, nor it in their own list
        Browser.Tab strangerTab = signedIn(STRANGER, tabs);
        Page stranger = strangerTab.page();
        assertThat(stranger.locator("#adapters")).containsText("No adapters yet.");
        assertThat(stranger.locator("#adapters")).not().containsText(ADAPTER);
        for (String path : List.of("/builds/" + second, "/adapters/" + engineId, "/orgs/" + ORG)) {
            Response response = stranger.navigate(path);
            org.assertj.core.api.Assertions.assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(stranger.locator("main h1")).hasText("Not found");
        }
        screenshot(stranger, "stranger-not-found");

        // 11. changes without the session's CSRF token are refused, from a script and from a plain HTML form
        @SuppressWarnings("unchecked")
        Map<String, Object> refused = (Map<String, Object>) dev.evaluate("""
                async id => {
                  const r = await fetch('/api/v1/builds/' + id + '/actions', {method: 'POST',
                    headers: {'Content-Type': 'application/json'}, body: JSON.stringify({action: 'pause'})});
                  return {status: r.status, code: (await r.json()).error.code};
                }""", second);
        org.assertj.core.api.Assertions.assertThat(refused).containsEntry("status", 403).containsEntry("code", "CSRF_TOKEN_INVALID");
        Response formPost = dev.waitForResponse(r -> r.request().method().equals("POST") && r.url().endsWith("/adapters"),
                () -> dev.evaluate("""
                        org => {
                          const form = document.createElement('form');
                          form.method = 'post';
                          form.action = '/api/v1/orgs/' + org + '/adapters';
                          for (const [name, value] of Object.entries({name: 'csrf-adapter', category: 'pull',
                              deploymentModel: 'FullyNetworkIsolated', engineMode: 'batch'})) {
                            const input = document.createElement('input');
                            input.name = name;
                            input.value = value;
                            form.append(input);
                          }
                          document.body.append(form);
                          form.submit();
                        }""", String.valueOf(ORG)));
        org.assertj.core.api.Assertions.assertThat(formPost.status()).isEqualTo(403);
        org.assertj.core.api.Assertions.assertThat(BuildFixture.parse(formPost.text()).get("error").get("code").asText())
                .isEqualTo("CSRF_TOKEN_INVALID");
        org.assertj.core.api.Assertions.assertThat(w.state(second)).isEqualTo("deployed");
        List<String> adapters = new ArrayList<>();
        w.d.api("GET", "/api/v1/orgs/" + ORG + "/adapters", w.dev(), null, 200).forEach(a -> adapters.add(a.get("name").asText()));
        org.assertj.core.api.Assertions.assertThat(adapters).containsExactly(ADAPTER);

        tabs.forEach(Browser.Tab::assertNoErrors);
    }

    /**
     * On the adapter's page: sets the panel's tag, runs its login, tag and push commands with podman (the image loaded
     * into podman's storage as {@value #ADAPTER} first, so the tag command works verbatim), and waits for the build to
     * show at the top of the list, live, in {@code state} (with screenshots of the panel and the list if asked). Returns
     * the build's id.
     */
    private static String pushFromPanel(Page page, String tag, TestImages.Built image, String state, boolean screenshots)
            throws IOException {
        Path layout = TestImages.writeLayout(image, tmp.resolve("image-" + tag));
        String imageId = tools.ok(store.podman("pull", "-q", "oci:" + layout)).stdout().strip();
        tools.ok(store.podman("tag", imageId, ADAPTER));

        Locator panel = page.locator("details#upload");
        if (panel.getAttribute("open") == null) panel.locator("summary").click(); // folded away once there are builds
        page.getByLabel("Tag").fill(tag);
        Locator steps = page.locator("#upload ol.steps > li");
        String target = w.d.host() + "/" + ORG + "/" + ADAPTER + ":" + tag;
        assertThat(steps.nth(1).locator("pre")).hasText("docker login " + w.d.host());
        assertThat(steps.nth(2).locator("pre")).hasText("docker tag " + ADAPTER + " " + target);
        assertThat(steps.nth(3).locator("pre")).hasText("docker push " + target);
        if (screenshots) screenshot(page, "upload-panel");

        // pushed only once the list follows the adapter's events, so that it draws the new build without a reload
        assertThat(page.locator("#builds-list")).hasAttribute("data-live", "true");
        page.evaluate("window.__sameDocument = true");
        asPodman(steps.nth(1).locator("pre").textContent(),
                "--tls-verify=false", "--authfile", authFile.toString(), "-u", DEV, "-p", TestDrydock.PASSWORD);
        asPodman(steps.nth(2).locator("pre").textContent());
        asPodman(steps.nth(3).locator("pre").textContent(), "--tls-verify=false", "--authfile", authFile.toString());

        Locator top = page.locator("#builds tbody tr").first();
        assertThat(top.locator("td").first()).hasText(tag, TESTED);
        assertThat(top.locator(".chip")).hasText(state, TESTED);
        String id = top.getAttribute("data-build-id");
        org.assertj.core.api.Assertions.assertThat(page.evaluate("window.__sameDocument")).isEqualTo(true);
        if (screenshots) screenshot(page, "builds-live-available");
        return id;
    }

    /** Runs a docker command the page shows with the private podman: its words, with {@code flags} after the subcommand. */
    private static void asPodman(String shown, String... flags) {
        List<String> words = List.of(shown.strip().split(" +"));
        org.assertj.core.api.Assertions.assertThat(words.getFirst()).isEqualTo("docker");
        List<String> args = new ArrayList<>();
        args.add(words.get(1));
        args.addAll(List.of(flags));
        args.addAll(words.subList(2, words.size()));
        tools.ok(store.podman(args.toArray(String[]::new)));
    }

    /** The reviewer's queue: the build is listed as passed; approving it takes it off the queue. */
    private static void approveInQueue(Page reviewer, String buildId, boolean screenshot) {
        reviewer.navigate("/reviews");
        Locator item = reviewer.locator("article.review-item[data-build='" + buildId + "']");
        assertThat(item.locator("h2")).containsText(ADAPTER + ":");
        assertThat(item.locator(".review-user")).hasText(DEV);
        assertThat(item.locator(".review-summary")).containsText("tests passed");
        if (screenshot) screenshot(reviewer, "review-queue");
        item.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Approve").setExact(true)).click();
        Browser.dialogButton(reviewer, "Approve").click();
        assertThat(item).hasCount(0);
    }

    /** Signed in, on the organization's page the start page sends the user to (so later navigations do not race it). */
    private static Browser.Tab signedIn(String email, List<Browser.Tab> tabs) {
        Browser.Tab tab = browser.signIn(w.d, email, TestDrydock.PASSWORD);
        tabs.add(tab);
        tab.page().waitForURL(url -> url.contains("/orgs/"));
        assertThat(tab.page().locator("header .who")).hasText(email);
        return tab;
    }

    private static Locator row(Page page, String buildId) {
        return page.locator("#builds tr[data-build-id='" + buildId + "']");
    }



    /** target/ui-screenshots/flow-NN-name.png, numbered in the order the flow takes them. */
    private static void screenshot(Page page, String name) {
        Browser.screenshot(page, "flow-%02d-%s".formatted(++screenshotsTaken, name));
    }
}
