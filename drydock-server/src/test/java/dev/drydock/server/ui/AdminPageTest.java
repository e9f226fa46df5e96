package dev.drydock.server.ui;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.drydock.server.TestDrydock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

/** The administration page in real Chromium: organizations, users and platform roles, advisory data, by role. */
class AdminPageTest {
    private static final long ORG = 17532;
    private static final String XSS = "<img src=x onerror=window.__xss=1>";
    private static final String OPERATOR = "ops@drydock.test";
    private static final Path ADVISORY = Path.of("../drydock-scanner/src/test/resources/osv/debian/DEBIAN-CVE-2016-2781.json");
    private static TestDrydock d;
    private static Browser browser;

    @BeforeAll
    static void start() {
        browser = Browser.launch();
        d = TestDrydock.start(Map.of());
        d.createOrg(ORG);
        d.addMember(ORG, "dev@acme.test", "developer");
        d.addMember(ORG, OPERATOR, "developer");
        d.setPlatformRole(OPERATOR, "operator");
    }

    @AfterAll
    static void stop() {
        if (d != null) d.close();
        if (browser != null) browser.close();
    }

    private static Browser.Tab admin(String tab) {
        return browser.signInTo(d, "/admin?tab=" + tab, TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
    }

    private static void click(Page page, String button) {
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(button).setExact(true)).click();
    }

    @Test
    void platformAdminCreatesAnOrganizationWhoseNameRendersAsText() {
        Browser.Tab tab = admin("orgs");
        Page page = tab.page();
        assertThat(page.locator(".tabs a")).hasText(new String[] {"Organizations", "Users and roles", "Advisory data"});
        assertThat(page.locator("#orgs-table")).containsText("Org " + ORG);

        page.getByLabel("Id").fill("abc");
        page.getByLabel("Name").fill("Beta");
        click(page, "Create organization");
        assertThat(page.locator("#create-org-id-error")).hasText("'id' must be a whole number");
        page.getByLabel("Id").fill(String.valueOf(ORG));
        click(page, "Create organization");
        assertThat(page.locator("#create-org-id-error")).hasText("organization " + ORG + " already exists: choose another id");
        page.getByLabel("Id").fill("777");
        page.getByLabel("Name").fill("");
        click(page, "Create organization");
        assertThat(page.locator("#create-org-name-error")).hasText("organization name must be 1-200 characters");
        Browser.screenshot(page, "admin-orgs-field-error");

        page.getByLabel("Name").fill("Acme " + XSS);
        click(page, "Create organization");
        Locator rows = page.locator("#orgs-table tbody tr");
        assertThat(rows.filter(new Locator.FilterOptions().setHasText("777"))).containsText("Acme " + XSS);
        // 2^53 + 1 is more than a JavaScript number holds exactly: the id must arrive as typed. (The list shows it
        // rounded: JSON.parse reads every id as a number; ids of Veritone organizations are far smaller.)
        page.getByLabel("Id").fill("9007199254740993");
        page.getByLabel("Name").fill("Largest");
        click(page, "Create organization");
        assertThat(rows.filter(new Locator.FilterOptions().setHasText("Largest"))).isVisible();
        org.assertj.core.api.Assertions.assertThat(d.api("GET", "/api/v1/orgs/9007199254740993",
                TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD), null, 200).get("name").asText()).isEqualTo("Largest");
        assertThat(page.locator("#orgs-table img")).hasCount(0);
        org.assertj.core.api.Assertions.assertThat(page.evaluate("() => typeof window.__xss")).isEqualTo("undefined");
        Browser.screenshot(page, "admin-orgs");
        tab.assertNoErrors();
    }

    @Test
    void platformAdminListsUsersAndSetsAPlatformRole() {
        d.addMember(ORG, "reviewer-to-be@acme.test", "admin");
        Browser.Tab tab = admin("users");
        Page page = tab.page();
        Locator row = page.locator("#users-table tbody tr", new Page.LocatorOptions().setHasText("reviewer-to-be@acme.test"));
        assertThat(row).containsText(ORG + " (admin)");
        assertThat(page.locator("#users-table tbody tr", new Page.LocatorOptions().setHasText(OPERATOR))).containsText("operator");
        assertThat(page.locator("#users-table tbody tr", new Page.LocatorOptions().setHasText(TestDrydock.ADMIN_EMAIL)))
                .containsText("admin");

        page.getByLabel("E-mail").fill("nobody@acme.test");
        click(page, "Set role");
        assertThat(page.locator("#set-role-email-error")).containsText("no user with e-mail nobody@acme.test");

        row.getByRole(AriaRole.BUTTON).click();
        assertThat(page.getByLabel("E-mail")).hasValue("reviewer-to-be@acme.test");
        page.getByLabel("Platform role", new Page.GetByLabelOptions().setExact(true)).selectOption("reviewer");
        click(page, "Set role");
        assertThat(row.locator("td").nth(1)).hasText("reviewer");
        org.assertj.core.api.Assertions.assertThat(d.api("GET", "/api/v1/me", d.login("reviewer-to-be@acme.test", TestDrydock.PASSWORD),
                null, 200).get("platformRole").asText()).isEqualTo("reviewer");
        Browser.screenshot(page, "admin-users");

        row.getByRole(AriaRole.BUTTON).click();
        page.getByLabel("Platform role", new Page.GetByLabelOptions().setExact(true)).selectOption("");
        click(page, "Set role");
        assertThat(row.locator("td").nth(1)).hasText("—");
        tab.assertNoErrors();
    }

    @Test
    void anOperatorSeesOnlyAdvisoryDataAndImportsAFile() {
        Browser.Tab tab = browser.signInTo(d, "/admin?tab=users", OPERATOR, TestDrydock.PASSWORD);
        Page page = tab.page();
        assertThat(page.locator(".tabs a")).hasText(new String[] {"Advisory data"});
        assertThat(page.locator("#tab-vulndb")).isVisible();
        assertThat(page.locator("#users-table")).hasCount(0);

        click(page, "Import");
        assertThat(page.locator("#import-advisories-file-error")).hasText("Choose the advisory file to import.");
        page.getByLabel("Advisory file").setInputFiles(ADVISORY);
        page.getByLabel("Source name").fill("bad source!");
        click(page, "Import");
        assertThat(page.locator("#import-advisories-source-error")).containsText("source must be 1-200 letters");

        page.getByLabel("Advisory file").setInputFiles(ADVISORY);
        page.getByLabel("Format").selectOption("osv");
        page.getByLabel("Source name").fill("osv-debian");
        click(page, "Import");
        assertThat(page.locator("#import-counts")).hasText("1 read, 1 new, 0 updated, 0 unchanged, 0 failed");
        assertThat(page.locator("#sources-table tbody tr", new Page.LocatorOptions().setHasText("osv-debian"))).isVisible();
        assertThat(page.locator("#vulndb-advisories")).not().hasText("0");
        // no feed configured: the page says how to turn the public data on, and the air-gapped way
        assertThat(page.locator("#vulndb-feeds-hint")).containsText("vulndb.feeds=osv");
        assertThat(page.locator("#vulndb-feeds-hint")).containsText("./drydock vulndb import");
        Browser.screenshot(page, "admin-advisory-data");
        tab.assertNoErrors();
    }

    @Test
    void configuredFeedsShowTheirLastFetchAndError() throws Exception {
        // a mirror holding only Maven's all.zip (the project's real log4j records): the other ecosystems answer 404
        byte[] maven = dev.drydock.server.VulnerabilityScanE2ETest.osvAllZip();
        com.sun.net.httpserver.HttpServer mirror = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        mirror.createContext("/", ex -> {
            boolean found = ex.getRequestURI().getPath().equals("/Maven/all.zip");
            ex.sendResponseHeaders(found ? 200 : 404, found ? maven.length : -1);
            if (found) ex.getResponseBody().write(maven);
            ex.close();
        });
        mirror.start();
        try (TestDrydock fed = TestDrydock.start(Map.of("vulndb.feeds", "osv",
                "vulndb.osv-base-url", "http://127.0.0.1:" + mirror.getAddress().getPort()))) {
            String auth = TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
                for (var f : fed.api("GET", "/api/v1/vulndb", auth, null, 200).get("feeds")) {
                    if (f.get("lastChecked").isNull() && f.get("lastFailure").isNull()) return false;
                }
                return true;
            });
            Browser.Tab tab = browser.signInTo(fed, "/admin?tab=vulndb", TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
            Page page = tab.page();
            Locator mavenRow = page.locator("#feeds-table tbody tr", new Page.LocatorOptions().setHasText("osv/Maven"));
            assertThat(mavenRow.locator("td").nth(4)).hasText("2");
            assertThat(mavenRow.locator("td").nth(2).locator("time")).hasCount(1);
            assertThat(mavenRow.locator("td").nth(5)).hasText("—");
            Locator rocky = page.locator("#feeds-table tbody tr", new Page.LocatorOptions().setHasText("osv/Rocky Linux"));
            assertThat(rocky.locator("td").nth(1)).hasText("http://127.0.0.1:" + mirror.getAddress().getPort() + "/Rocky%20Linux/all.zip");
            assertThat(rocky.locator(".feed-error")).containsText("HTTP 404");
            assertThat(page.locator("#feeds-table tbody tr")).hasCount(9);
            assertThat(page.locator("#vulndb-feeds-hint")).hasCount(0);
            Browser.screenshot(page, "admin-advisory-feeds");
            tab.assertNoErrors();
        } finally {
            mirror.stop(0);
        }
    }

    @Test
    void aDeveloperGetsNoAdminPage() {
        Browser.Tab tab = browser.signIn(d, "dev@acme.test", TestDrydock.PASSWORD);
        Page page = tab.page();
        assertThat(page).hasURL(d.url() + "/orgs/" + ORG);
        assertThat(page.locator("header nav a", new Page.LocatorOptions().setHasText("Admin"))).hasCount(0);
        org.assertj.core.api.Assertions.assertThat(page.navigate("/admin").status()).isEqualTo(403);
        tab.assertNoErrors();
    }
}
