package dev.drydock.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import dev.drydock.server.BuildFixture;
import dev.drydock.server.TestDrydock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static dev.drydock.server.BuildFixture.DEV;
import static dev.drydock.server.BuildFixture.ORG;

/**
 * The adapters list of an organization (registering, disabling, enabling, deleting) and an adapter's page (the upload
 * panel's commands, the builds list kept live from the event stream, each build's ⋮ menu, pages of builds) in Chromium.
 */
class AdapterPagesTest {
    private static final long NEW_ORG = 5150;
    private static final String NEWBIE = "newbie@acme.test";
    private static final long XSS_ORG = 31337;
    private static final String MARKUP = "<img src=x onerror=window.__xss=1>";
    private static BuildFixture w;
    private static Browser browser;

    @BeforeAll
    static void start() {
        browser = Browser.launch();
        w = BuildFixture.withParties();
        w.d.createOrg(NEW_ORG);
        w.d.addMember(NEW_ORG, NEWBIE, "developer");
        w.d.api("POST", "/api/v1/orgs", w.admin(), Map.of("id", XSS_ORG, "name", MARKUP), 201);
        w.d.addMember(XSS_ORG, "xss@acme.test", "developer");
    }

    @AfterAll
    static void stop() {
        if (w != null) w.close();
        if (browser != null) browser.close();
    }

    /** Signs in and waits for the start page's move to the member's organization (a later navigation would race it). */
    private static Page signedIn(Browser.Tab tab, String email) {
        Browser.signIn(tab.page(), email, TestDrydock.PASSWORD);
        tab.page().waitForURL(url -> url.contains("/orgs/"));
        return tab.page();
    }

    /** The labels of a row's ⋮ menu (opened and closed again). */
    private static List<String> menu(Locator row) {
        row.locator(".menu-button").click();
        Locator items = row.locator("[role=menuitem]");
        assertThat(items.first()).isVisible();
        List<String> labels = items.allTextContents();
        row.page().keyboard().press("Escape");
        assertThat(row.locator("ul.menu")).isHidden();
        return labels;
    }



    @Test
    void aNewUserRegistersAnAdapterThroughTheFormAndGetsItsUploadCommands() {
        Browser.Tab tab = browser.open(w.d);
        tab.context().grantPermissions(List.of("clipboard-read", "clipboard-write"));
        Page page = signedIn(tab, NEWBIE);
        page.navigate("/orgs/" + NEW_ORG);
        assertThat(page.locator("#adapters")).containsText("No adapters yet.");
        Browser.screenshot(page, "adapters-empty");

        page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("My Adapter");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Register adapter")).click();
        assertThat(page.locator("#register-name-error")).containsText("cannot be a repository name");
        assertThat(page.locator("#register-name")).hasAttribute("aria-invalid", "true");
        assertThat(page.locator("#register-name")).isFocused();
        Browser.screenshot(page, "register-form-error");

        // a pull adapter cannot run in chunk mode: the message is at the engine mode
        page.locator("#register-name").fill("first-adapter");
        page.locator("#register-engineMode").selectOption("chunk");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Register adapter")).click();
        assertThat(page.locator("#register-engineMode-error")).hasText("pull and push adapters run in engineMode batch or stream, not chunk");
        assertThat(page.locator("#register-name-error")).isHidden();
        org.assertj.core.api.Assertions.assertThat(page.locator("#register-category option").allTextContents())
                .startsWith("pull", "push", "transcription").contains("object-detection", "transcode");

        page.locator("#register-engineMode").selectOption("stream");
        page.locator("#register-deploymentModel").selectOption("NonNetworkIsolated");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Register adapter")).click();
        page.waitForURL(url -> url.contains("/adapters/"));
        String engineId = page.url().substring(page.url().lastIndexOf('/') + 1);
        JsonNode adapter = w.d.api("GET", "/api/v1/adapters/" + engineId, w.login(NEWBIE, TestDrydock.PASSWORD), null, 200);
        org.assertj.core.api.Assertions.assertThat(adapter.get("engineMode").asText()).isEqualTo("stream");
        org.assertj.core.api.Assertions.assertThat(adapter.get("deploymentModel").asText()).isEqualTo("NonNetworkIsolated");
        assertThat(page.locator("main h1")).hasText("first-adapter");
        assertThat(page.locator("#adapter-state .chip")).hasText("pending");

        // no builds yet: the panel is open, with the real host, organization and name in every command
        assertThat(page.locator("details#upload")).hasAttribute("open", "");
        String image = w.d.host() + "/" + NEW_ORG + "/first-adapter";
        Locator steps = page.locator("#upload ol.steps > li");
        assertThat(steps).hasCount(4);
        assertThat(steps.nth(0).locator("h3")).hasText("Package your adapter");
        assertThat(steps.nth(0).locator("pre")).hasText("docker build -t first-adapter .");
        assertThat(steps.nth(1).locator("pre")).hasText("docker login " + w.d.host());
        assertThat(steps.nth(2).locator("pre")).hasText("docker tag first-adapter " + image + ":1.0");
        assertThat(steps.nth(3).locator("pre")).hasText("docker push " + image + ":1.0");
        assertThat(page.locator("#sample-dockerfile")).containsText("COPY manifest.json /var/manifest.json");
        assertThat(page.locator("#sample-dockerfile")).containsText("ENTRYPOINT [\"");
        assertThat(page.locator("#upload a[href='/api/v1/schemas/manifest.json']")).isVisible();
        assertThat(page.locator("#upload a[href='/examples/busybox-pull-adapter/README.md']")).isVisible();

        page.getByLabel("Tag").fill("-bad");
        assertThat(page.locator("#upload-tag-error")).containsText("does not start with . or -");
        assertThat(steps.nth(3).locator("pre")).hasText("docker push " + image + ":<tag>");
        page.getByLabel("Tag").fill("2.0-rc_1");
        assertThat(page.locator("#upload-tag-error")).isHidden();
        assertThat(steps.nth(2).locator("pre")).hasText("docker tag first-adapter " + image + ":2.0-rc_1");
        assertThat(steps.nth(3).locator("pre")).hasText("docker push " + image + ":2.0-rc_1");
        Browser.screenshot(page, "adapter-upload-panel");

        steps.nth(3).getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Copy")).click();
        assertThat(steps.nth(3).locator("button.copy")).hasText("Copied");
        org.assertj.core.api.Assertions.assertThat(page.evaluate("navigator.clipboard.readText()"))
                .isEqualTo("docker push " + image + ":2.0-rc_1");
        assertThat(page.locator("#builds-empty")).isVisible();
        tab.assertNoErrors();
    }

    @Test
    void adapterActionsAreTheAllowedOnesAndDestructiveOnesAreConfirmed() {
        String engineId = engineIdOf(w.prepare("toggle", "deployed"));
        Browser.Tab tab = browser.open(w.d);
        Page page = signedIn(tab, DEV);
        page.navigate("/orgs/" + ORG);
        Locator row = page.locator("tr[data-engine-id='" + engineId + "']");
        assertThat(row.locator(".chip")).hasText("active");
        assertThat(row.locator("a")).hasAttribute("href", "/adapters/" + engineId);
        org.assertj.core.api.Assertions.assertThat(menu(row)).containsExactly("Disable", "Delete");
        Browser.screenshot(page, "adapters-list");

        Browser.choose(row, "Disable");
        assertThat(page.locator("dialog")).containsText("Its deployed build is paused");
        Browser.dialogButton(page, "Cancel").click();
        assertThat(page.locator("dialog")).hasCount(0);
        assertThat(row.locator(".chip")).hasText("active");

        Browser.choose(row, "Disable");
        Browser.dialogButton(page, "Disable").click();
        assertThat(row.locator(".chip")).hasText("disabled");
        org.assertj.core.api.Assertions.assertThat(menu(row)).containsExactly("Enable", "Delete");

        Browser.choose(row, "Enable"); // not destructive: no question
        assertThat(row.locator(".chip")).hasText("active");

        Browser.choose(row, "Delete");
        assertThat(page.locator("dialog")).containsText("Delete toggle and all its builds?");
        Browser.dialogButton(page, "Delete").click();
        assertThat(row).hasCount(0);
        org.assertj.core.api.Assertions.assertThat(w.adapterState(engineId)).isEqualTo("deleted");
        tab.assertNoErrors();
    }

    @Test
    void theBuildsListShowsEachBuildsActionsAndFollowsChangesLive() throws IOException {
        String deployed = w.prepare("menus", "deployed");
        String engineId = engineIdOf(deployed);
        String invalid = w.push("menus", "0.9-arm", "arm64");
        String submitted = w.push("menus", "1.1", "amd64");
        String available = w.push("menus", "1.2", "amd64");
        w.awaitState(invalid, "invalid");
        w.awaitState(available, "available");
        w.awaitState(submitted, "available");
        w.act(w.dev(), submitted, "submit", null, 200);

        Browser.Tab tab = browser.open(w.d);
        Page page = signedIn(tab, DEV);
        page.navigate("/adapters/" + engineId);
        assertThat(page.locator("#builds-list")).hasAttribute("data-live", "true");
        assertThat(page.locator("details#upload")).not().hasAttribute("open", ""); // folded away: it has builds
        Locator rows = page.locator("#builds tbody tr");
        assertThat(rows).hasCount(4);
        org.assertj.core.api.Assertions.assertThat(rows.evaluateAll("rs => rs.map(r => r.dataset.buildId)"))
                .isEqualTo(List.of(available, submitted, invalid, deployed)); // newest first
        Locator availableRow = row(page, available);
        assertThat(availableRow.locator("td").nth(0)).hasText("1.2");
        assertThat(availableRow.locator("td:first-child a")).hasAttribute("href", "/builds/" + available);
        assertThat(availableRow.locator("td").nth(2)).hasText(BuildFixture.ROBOT);
        assertThat(availableRow.locator("td").nth(5)).hasText(java.util.regex.Pattern.compile("^\\d+ m?s$"));

        List<String> downloads = List.of("Download build report", "Download SBOM");
        org.assertj.core.api.Assertions.assertThat(menu(availableRow)).containsExactlyElementsOf(concat(List.of("Submit", "Delete", "Retest"), downloads));
        org.assertj.core.api.Assertions.assertThat(menu(row(page, submitted))).containsExactlyElementsOf(downloads);
        // the arm64 build failed before the vulnerability scan: it has a report but no SBOM, and the menu offers none
        org.assertj.core.api.Assertions.assertThat(w.build(invalid).get("sbomAvailable").asBoolean()).isFalse();
        org.assertj.core.api.Assertions.assertThat(w.get(w.dev(), "/api/v1/builds/" + invalid + "/sbom").statusCode()).isEqualTo(409);
        org.assertj.core.api.Assertions.assertThat(menu(row(page, invalid)))
                .containsExactly("Delete", "Retest", "Download build report");
        org.assertj.core.api.Assertions.assertThat(menu(row(page, deployed))).containsExactlyElementsOf(concat(List.of("Pause", "Delete"), downloads));
        // by keyboard alone: Enter opens the menu on its first item, arrows move (wrapping), Escape closes back on the button
        Locator button = availableRow.locator(".menu-button");
        button.focus();
        page.keyboard().press("Enter");
        assertThat(button).hasAttribute("aria-expanded", "true");
        assertThat(availableRow.getByRole(AriaRole.MENUITEM, new Locator.GetByRoleOptions().setName("Submit"))).isFocused();
        page.keyboard().press("ArrowDown");
        assertThat(availableRow.getByRole(AriaRole.MENUITEM, new Locator.GetByRoleOptions().setName("Delete"))).isFocused();
        page.keyboard().press("ArrowUp");
        page.keyboard().press("ArrowUp");
        assertThat(availableRow.getByRole(AriaRole.MENUITEM, new Locator.GetByRoleOptions().setName("Download SBOM"))).isFocused();
        Browser.screenshot(page, "builds-menu-open");
        page.keyboard().press("Escape");
        assertThat(availableRow.locator("ul.menu")).isHidden();
        assertThat(button).isFocused();
        Browser.screenshot(page, "adapter-builds");

        Download report = page.waitForDownload(() -> Browser.choose(availableRow, "Download build report"));
        JsonNode json = BuildFixture.parse(Files.readString(report.path()));
        org.assertj.core.api.Assertions.assertThat(json.get("engineId").asText()).isEqualTo(engineId);
        org.assertj.core.api.Assertions.assertThat(json.get("checks").isArray()).isTrue();

        Download sbom = page.waitForDownload(() -> Browser.choose(availableRow, "Download SBOM"));
        org.assertj.core.api.Assertions.assertThat(BuildFixture.parse(Files.readString(sbom.path())).get("bomFormat").asText())
                .isEqualTo("CycloneDX");

        // pausing asks first; the answer is drawn in place
        Browser.choose(row(page, deployed), "Pause");
        Browser.dialogButton(page, "Pause").click();
        assertThat(row(page, deployed).locator(".chip")).hasText("paused");
        assertThat(page.locator("#adapter-state .chip")).hasText("ready");
        org.assertj.core.api.Assertions.assertThat(w.state(deployed)).isEqualTo("paused");

        Browser.choose(row(page, invalid), "Delete");
        Browser.dialogButton(page, "Cancel").click();
        assertThat(row(page, invalid)).hasCount(1);
        Browser.choose(row(page, invalid), "Delete");
        Browser.dialogButton(page, "Delete").click();
        assertThat(row(page, invalid)).hasCount(0);
        org.assertj.core.api.Assertions.assertThat(w.state(invalid)).isEqualTo("deleted");

        // a push shows up at the top and turns available, without reloading the page
        page.evaluate("window.__sameDocument = true");
        String pushed = w.push("menus", "2.0", "amd64");
        assertThat(rows.first()).hasAttribute("data-build-id", pushed);
        // testing takes longer than the assertion's timeout on a loaded machine: wait for the server, then for the page
        w.awaitState(pushed, "available");
        assertThat(row(page, pushed).locator(".chip")).hasText("available");
        assertThat(row(page, pushed).locator("td").nth(0)).hasText("2.0");
        // a change made elsewhere (the reviewer's) is drawn too
        w.act(w.reviewer(), submitted, "approve", null, 200);
        assertThat(row(page, submitted).locator(".chip")).hasText("approved");
        org.assertj.core.api.Assertions.assertThat(page.evaluate("window.__sameDocument")).isEqualTo(true);
        tab.assertNoErrors();
    }

    @Test
    void aReviewerSeesTheReviewActionsOfASubmittedBuildInDarkMode() {
        String submitted = w.prepare("review-me", "submitted");
        String engineId = engineIdOf(submitted);
        Browser.Tab tab = browser.open(w.d, ColorScheme.DARK);
        Page page = signedIn(tab, BuildFixture.REVIEWER);
        page.navigate("/adapters/" + engineId);
        org.assertj.core.api.Assertions.assertThat(menu(row(page, submitted)))
                .containsExactly("Approve", "Disapprove", "Invalidate", "Download build report", "Download SBOM");
        Browser.choose(row(page, submitted), "Disapprove");
        Browser.dialogButton(page, "Disapprove").click();
        assertThat(page.locator("dialog #confirm-reason:invalid")).isVisible(); // no reason: the dialog stays
        page.locator("#confirm-reason").fill("needs a README");
        Browser.dialogButton(page, "Disapprove").click();
        assertThat(row(page, submitted).locator(".chip")).hasText("disapproved");
        Browser.screenshot(page, "adapter-builds-dark");
        tab.assertNoErrors();
    }

    @Test
    void moreBuildsThanOnePageArePagedWithPreviousAndNext() {
        String engineId = w.register("many");
        List<String> ids = w.insertBuilds(engineId, 45, 1500);
        Browser.Tab tab = browser.open(w.d);
        Page page = signedIn(tab, DEV);
        page.navigate("/adapters/" + engineId);
        Locator rows = page.locator("#builds tbody tr");
        assertThat(rows).hasCount(20);
        assertThat(rows.first()).hasAttribute("data-build-id", ids.get(0));
        assertThat(page.locator("#builds-page")).hasText("1–20 of 45");
        assertThat(page.locator("#builds-previous")).isDisabled();
        assertThat(rows.first().locator("td").nth(5)).hasText("2 s");
        page.locator("#builds-next").click();
        assertThat(page.locator("#builds-page")).hasText("21–40 of 45");
        assertThat(rows.first()).hasAttribute("data-build-id", ids.get(20));
        page.locator("#builds-next").click();
        assertThat(page.locator("#builds-page")).hasText("41–45 of 45");
        assertThat(rows).hasCount(5);
        assertThat(rows.last()).hasAttribute("data-build-id", ids.get(44));
        assertThat(page.locator("#builds-next")).isDisabled();
        page.locator("#builds-previous").click();
        assertThat(page.locator("#builds-page")).hasText("21–40 of 45");
        tab.assertNoErrors();
    }

    /**
     * Adapter names and OCI tags cannot hold markup (both are validated), but an organization's name and an e-mail
     * address can: the org's heading, "Registered … by" and a build's "Uploaded by" show them as text.
     */
    @Test
    void markupInAnOrganizationNameAndAnEmailShowsAsText() {
        String email = "<img/src=x/onerror=window.__xss=1>@acme.test";
        w.d.addMember(XSS_ORG, email, "developer");
        BuildFixture.Owner user = new BuildFixture.Owner(XSS_ORG, email, TestDrydock.PASSWORD);
        String engineId = w.d.api("POST", "/api/v1/orgs/" + XSS_ORG + "/adapters", w.login(email, TestDrydock.PASSWORD),
                Map.of("name", "plain", "category", "pull", "deploymentModel", "FullyNetworkIsolated", "engineMode", "batch"), 201)
                .get("engineId").asText();
        w.push(user, "plain", "1.0", "amd64");
        Browser.Tab tab = browser.open(w.d);
        Page page = signedIn(tab, "xss@acme.test");
        page.navigate("/orgs/" + XSS_ORG);
        assertThat(page.locator("main h1")).hasText(MARKUP);
        assertThat(page.locator("#org-switcher option:checked")).hasText(MARKUP + " (" + XSS_ORG + ")");
        page.navigate("/adapters/" + engineId);
        assertThat(page.locator("main h1")).hasText("plain");
        assertThat(page.locator("#adapter-facts")).containsText("by " + email);
        assertThat(page.locator("#builds tbody tr td").nth(2)).hasText(email);
        assertThat(page.locator("main img")).hasCount(0);
        org.assertj.core.api.Assertions.assertThat(page.evaluate("typeof window.__xss")).isEqualTo("undefined");
        tab.assertNoErrors();
    }

    private static Locator row(Page page, String buildId) {
        return page.locator("#builds tr[data-build-id='" + buildId + "']");
    }

    /** The adapter of a build. */
    private static String engineIdOf(String buildId) {
        return w.build(buildId).get("engineId").asText();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
