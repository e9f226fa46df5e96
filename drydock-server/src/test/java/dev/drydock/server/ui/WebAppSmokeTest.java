package dev.drydock.server.ui;

import com.microsoft.playwright.Page;
import dev.drydock.server.TestDrydock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

/** Signing in and out in real Chromium, and the page a stranger gets. */
class WebAppSmokeTest {
    private static final long ORG = 17532;
    private static final long OTHER = 4242;
    private static TestDrydock d;
    private static Browser browser;

    @BeforeAll
    static void start() {
        browser = Browser.launch();
        d = TestDrydock.start(Map.of());
        d.createOrg(ORG);
        d.createOrg(OTHER);
        d.addMember(ORG, "dev@acme.test", "developer");
        d.addMember(OTHER, "stranger@other.test", "developer");
    }

    @AfterAll
    static void stop() {
        if (d != null) d.close();
        if (browser != null) browser.close();
    }

    @Test
    void signInGoesBackToTheAskedPageAndSignOutEndsTheSession() {
        Browser.Tab tab = browser.open(d);
        Page page = tab.page();
        page.navigate("/orgs/" + ORG + "/settings");
        assertThat(page).hasURL(d.url() + "/login?next=%2Forgs%2F" + ORG + "%2Fsettings");
        page.getByLabel("E-mail").fill("dev@acme.test");
        page.getByLabel("Password").fill("not-the-password");
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
        assertThat(page.locator("#login-error")).hasText("Wrong e-mail or password.");
        Browser.screenshot(page, "sign-in");

        Browser.submitSignIn(page, "dev@acme.test", TestDrydock.PASSWORD);
        assertThat(page).hasURL(d.url() + "/orgs/" + ORG + "/settings");
        assertThat(page.locator("header .who")).hasText("dev@acme.test");
        page.locator("#sign-out").click();
        assertThat(page).hasURL(d.url() + "/login");
        page.navigate("/orgs/" + ORG);
        assertThat(page).hasURL(d.url() + "/login?next=%2Forgs%2F" + ORG);
        tab.assertNoErrors();
    }

    @Test
    void theFirstAdminOfANewDrydockIsSentToCreateAnOrganization() {
        try (TestDrydock empty = TestDrydock.start(Map.of())) {
            Browser.Tab tab = browser.open(empty);
            Page page = tab.page();
            page.navigate("/");
            page.getByText("Sign in to the Developer App").click();
            Browser.submitSignIn(page, TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
            assertThat(page.locator("main h1")).hasText("Welcome to Drydock");
            page.getByRole(com.microsoft.playwright.options.AriaRole.LINK, new Page.GetByRoleOptions().setName("Create the first one")).click();
            assertThat(page).hasURL(empty.url() + "/admin");
            tab.assertNoErrors();
        }
    }

    @Test
    void theAccessibilityCheckFindsAnUnnamedControl() {
        Browser.Tab tab = browser.open(d);
        Page page = tab.page();
        page.navigate("/login");
        page.locator("main h1").waitFor(); // the page's module draws the form after the load event
        org.assertj.core.api.Assertions.assertThat(Browser.unnamedControls(page)).isEmpty();
        page.evaluate("() => { const i = document.createElement('input'); i.placeholder = 'a placeholder is no name';"
                + " document.querySelector('main form').append(i); document.querySelector('main').append(document.createElement('h1')); }");
        org.assertj.core.api.Assertions.assertThat(Browser.unnamedControls(page))
                .anyMatch(p -> p.startsWith("no accessible name: <input"))
                .contains("not exactly one <h1> in <main>");
    }

    @Test
    void aStrangerSeesANotFoundPageForAnotherOrganization() {
        Browser.Tab tab = browser.signIn(d, "stranger@other.test", TestDrydock.PASSWORD);
        Page page = tab.page();
        assertThat(page).hasURL(d.url() + "/orgs/" + OTHER);
        com.microsoft.playwright.Response r = page.navigate("/orgs/" + ORG);
        org.assertj.core.api.Assertions.assertThat(r.status()).isEqualTo(404);
        assertThat(page.locator("main h1")).hasText("Not found");
        Browser.screenshot(page, "not-found");
        tab.assertNoErrors();
    }
}
