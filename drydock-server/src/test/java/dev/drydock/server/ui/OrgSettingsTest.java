package dev.drydock.server.ui;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import dev.drydock.server.BuildFixture;
import dev.drydock.server.Receiver;
import dev.drydock.server.TestDrydock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.function.UnaryOperator;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static dev.drydock.server.BuildFixture.DEV;
import static dev.drydock.server.BuildFixture.ORG;
import static dev.drydock.server.BuildFixture.ORG_ADMIN;
import static dev.drydock.server.BuildFixture.OTHER_ORG;

/**
 * The organization settings page in real Chromium: members and their invitations, robot tokens, webhooks, the vulnerability
 * allowlist; and the invited user's answer to an invitation, shown above every page.
 */
class OrgSettingsTest {
    private static final String XSS = "<img src=x onerror=window.__xss=1>";
    private static final String XSS_EMAIL = "<img/src=x/onerror=window.__xss=2>@pending.test";
    private static final String SETTINGS = "/orgs/" + ORG + "/settings";
    private static BuildFixture f;
    private static Browser browser;

    @BeforeAll
    static void start() {
        browser = Browser.launch();
        f = BuildFixture.withParties(); // webhooks.allow-private-network is off, as in production
    }

    @AfterAll
    static void stop() {
        if (f != null) f.close();
        if (browser != null) browser.close();
    }

    private static Browser.Tab orgAdmin(String tab) {
        return browser.signInTo(f.d, SETTINGS + "?tab=" + tab, ORG_ADMIN, TestDrydock.PASSWORD);
    }

    private static void assertNoXss(Page page) {
        org.assertj.core.api.Assertions.assertThat(page.evaluate("() => typeof window.__xss")).isEqualTo("undefined");
    }


    /** The token endpoint's answer to docker login's Basic credentials. */
    private static int dockerLogin(String login, String token) {
        return f.d.send(HttpRequest.newBuilder(URI.create(f.d.url() + "/auth/token?service=drydock"))
                .header("Authorization", TestDrydock.basic(login, token)).GET().build()).statusCode();
    }

    @Test
    void orgAdminInvitesMembersSeesFieldErrorsAndRevokesInvitations() {
        f.d.addMember(OTHER_ORG, "elsewhere@other.test", "developer"); // an existing account, not in this organization
        Browser.Tab tab = orgAdmin("members");
        Page page = tab.page();
        assertThat(page.locator(".tabs a[aria-current=page]")).hasText("Members and roles");
        assertThat(page.locator(".tabs a")).hasCount(4);
        assertThat(page.locator("#members-table")).containsText(ORG_ADMIN);
        assertThat(page.locator("#invite-explained")).containsText("only after accepting the invitation");
        assertThat(page.locator("#add-member-password-hint")).containsText("Used only if the e-mail has no Drydock account yet");

        page.getByLabel("E-mail").fill("not-an-address");
        page.getByLabel("Starting password").fill("a-long-enough-password");
        invite(page);
        assertThat(page.locator("#add-member-email-error")).hasText("email must be an address like dev@example.com");
        assertThat(page.getByLabel("E-mail")).hasAttribute("aria-invalid", "true");
        Browser.screenshot(page, "settings-members-field-error");

        page.getByLabel("E-mail").fill("newdev@acme.test");
        page.getByLabel("Starting password").fill("short");
        invite(page);
        assertThat(page.locator("#add-member-password-error")).containsText("password must be 12-1024 characters");

        // a new e-mail and an existing account look the same: both pending invitations, neither a member yet
        for (String email : new String[]{"newdev@acme.test", "elsewhere@other.test"}) {
            page.getByLabel("E-mail").fill(email);
            page.getByLabel("Starting password").fill("a-long-enough-password");
            page.getByLabel("Role", new Page.GetByLabelOptions().setExact(true)).selectOption("admin");
            invite(page);
            assertThat(page.locator("#notices")).containsText("Invited " + email + " as admin. They become a member when they accept.");
            assertThat(page.locator("#invitations-table tr", new Page.LocatorOptions().setHasText(email))).containsText("admin");
            assertThat(page.locator("#members-table")).not().containsText(email);
            assertThat(page.locator("#add-member-email-error")).isHidden();
        }
        // the new user signs in with the starting password; the existing one's password is untouched
        f.d.login("newdev@acme.test", "a-long-enough-password");
        f.d.api("POST", "/api/v1/login", null, Map.of("email", "elsewhere@other.test", "password", "a-long-enough-password"), 401);

        // an invitation's e-mail is text, never markup
        page.getByLabel("E-mail").fill(XSS_EMAIL);
        page.getByLabel("Starting password").fill("");
        invite(page);
        assertThat(page.locator("#invitations-table")).containsText(XSS_EMAIL);
        assertNoXss(page);

        page.getByLabel("E-mail").fill(DEV);
        invite(page);
        assertThat(page.locator("#add-member-email-error")).hasText(DEV + " is already a member of organization " + ORG);
        Browser.screenshot(page, "settings-members");

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Revoke the invitation of elsewhere@other.test")).click();
        Browser.dialogButton(page, "Revoke").click();
        assertThat(page.locator("#invitations-table")).not().containsText("elsewhere@other.test");
        org.assertj.core.api.Assertions.assertThat(f.d.api("GET", "/api/v1/invitations",
                f.d.login("elsewhere@other.test", TestDrydock.PASSWORD), null, 200)).isEmpty();
        tab.assertNoErrors();
    }

    private static void invite(Page page) {
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Invite").setExact(true)).click();
    }

    @Test
    void anInvitedUserAcceptsOrDeclinesAtTheTopOfEveryPage() {
        String admin = TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
        long hostile = 31337;
        f.d.api("POST", "/api/v1/orgs", admin, Map.of("id", hostile, "name", XSS), 201);
        f.d.addMember(OTHER_ORG, "invitee@other.test", "developer");
        f.d.api("POST", "/api/v1/orgs/" + ORG + "/members", f.auth(BuildFixture.Party.orgAdmin),
                Map.of("email", "invitee@other.test", "role", "developer"), 202);
        f.d.api("POST", "/api/v1/orgs/" + hostile + "/members", admin, Map.of("email", "invitee@other.test", "role", "admin"), 202);

        Browser.Tab tab = browser.signInTo(f.d, "/orgs/" + OTHER_ORG, "invitee@other.test", TestDrydock.PASSWORD);
        Page page = tab.page();
        Locator invitations = page.locator("#invitations li");
        assertThat(invitations).hasCount(2);
        assertThat(page.locator("#invitations h2")).hasText("Invitations for you");
        assertThat(invitations.first()).containsText(ORG_ADMIN + " invites you to join Org " + ORG + " (" + ORG + ") as developer.");
        // the organization's name is text, never markup
        assertThat(invitations.nth(1)).containsText(XSS + " (" + hostile + ") as admin");
        assertNoXss(page);
        Browser.screenshot(page, "invitations-pending");

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Decline the invitation to " + XSS + " (" + hostile + ")")).click();
        assertThat(invitations).hasCount(1);
        assertThat(page.locator("#notices")).containsText("Declined the invitation to " + XSS);
        assertThat(page.locator("#invitations h2")).hasText("An invitation for you");

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Accept the invitation to Org " + ORG + " (" + ORG + ")")).click();
        page.waitForURL("**/orgs/" + ORG);
        assertThat(page.locator("#org-switcher option[value='" + ORG + "']")).hasCount(1);
        assertThat(page.locator("#invitations li")).hasCount(0);
        assertThat(page.locator("#invitations")).isHidden();
        Browser.screenshot(page, "invitations-accepted");
        org.assertj.core.api.Assertions.assertThat(f.d.api("GET", "/api/v1/me", f.d.login("invitee@other.test", TestDrydock.PASSWORD),
                null, 200).get("memberships").findValuesAsText("orgId")).containsExactlyInAnyOrder(String.valueOf(OTHER_ORG), String.valueOf(ORG));
        assertNoXss(page);
        tab.assertNoErrors();
    }

    @Test
    void aRobotTokenIsShownOnceWorksForDockerLoginAndStopsWhenRevoked() {
        Browser.Tab tab = orgAdmin("robots");
        Page page = tab.page();
        assertThat(page.locator("#robots-table")).containsText(ORG + "+ci");
        page.getByLabel("Name").fill("Bad Name");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create robot")).click();
        assertThat(page.locator("#create-robot-name-error")).containsText("robot name must be 1-64 lowercase letters");

        page.getByLabel("Name").fill("deployer");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create robot")).click();
        Locator panel = page.locator("#robot-token");
        assertThat(panel).containsText("you will not see it again");
        assertThat(page.locator("#robot-login-command"))
                .hasText("docker login -u " + ORG + "+deployer --password-stdin " + f.d.host());
        assertThat(panel.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Copy")).first()).isVisible();
        assertThat(page.locator("#robots-table")).containsText(ORG + "+deployer");
        assertThat(page.locator("#robots-table")).containsText(ORG_ADMIN);
        String token = panel.locator("pre.secret").textContent();
        org.assertj.core.api.Assertions.assertThat(token).startsWith("ddr_");
        Browser.screenshot(page, "settings-robot-token-once");
        org.assertj.core.api.Assertions.assertThat(dockerLogin(ORG + "+deployer", token)).isEqualTo(200);

        page.reload();
        assertThat(page.locator("#robots-table")).containsText(ORG + "+deployer");
        assertThat(page.locator("#robot-token")).hasCount(0);
        org.assertj.core.api.Assertions.assertThat(page.content()).doesNotContain(token);

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Revoke robot deployer")).click();
        Browser.dialogButton(page, "Cancel").click();
        assertThat(page.locator("#robots-table")).containsText(ORG + "+deployer");
        org.assertj.core.api.Assertions.assertThat(dockerLogin(ORG + "+deployer", token)).isEqualTo(200);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Revoke robot deployer")).click();
        assertThat(page.locator("dialog")).containsText("Its token stops working at once");
        Browser.dialogButton(page, "Revoke").click();
        assertThat(page.locator("#robots-table")).not().containsText(ORG + "+deployer");
        org.assertj.core.api.Assertions.assertThat(dockerLogin(ORG + "+deployer", token)).isEqualTo(401);
        Browser.screenshot(page, "settings-robots");
        tab.assertNoErrors();
    }

    @Test
    void webhooksRefusePrivateAddressesAtTheFieldAndAreDeletedConfirmed() {
        Browser.Tab tab = orgAdmin("webhooks");
        Page page = tab.page();
        assertThat(page.locator("#webhooks-table-empty")).isVisible();
        for (String ssrf : new String[] {"http://127.0.0.1:8080/hook", "http://169.254.169.254/latest/meta-data"}) {
            page.getByLabel("URL").fill(ssrf);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create webhook")).click();
            assertThat(page.locator("#create-webhook-url-error")).containsText("must not point at a private, loopback or link-local address");
        }
        Browser.screenshot(page, "settings-webhook-refused");
        page.getByLabel("URL").fill("javascript:window.__xss=1");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create webhook")).click();
        assertThat(page.locator("#create-webhook-url-error")).containsText("url must be an http:// or https:// URL");

        page.getByLabel("URL").fill("https://hooks.example.com/drydock?token=" + "%3Cimg%20src%3Dx%3E");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create webhook")).click();
        Locator secret = page.locator("#webhook-secret");
        assertThat(secret).containsText("you will not see it again");
        org.assertj.core.api.Assertions.assertThat(secret.locator("pre.secret").textContent()).startsWith("whsec_");
        assertThat(page.locator("#webhooks-table")).containsText("https://hooks.example.com/drydock?token=%3Cimg%20src%3Dx%3E");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Show deliveries")).click();
        assertThat(page.locator("#webhooks-table .sub-row")).containsText("No deliveries yet");
        Browser.screenshot(page, "settings-webhooks");

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Delete webhook to https://hooks.example.com/drydock?token=%3Cimg%20src%3Dx%3E")).click();
        Browser.dialogButton(page, "Delete").click();
        assertThat(page.locator("#webhooks-table-empty")).isVisible();
        org.assertj.core.api.Assertions.assertThat(f.d.api("GET", "/api/v1/orgs/" + ORG + "/webhooks", f.auth(BuildFixture.Party.orgAdmin),
                null, 200)).isEmpty();
        assertNoXss(page);
        tab.assertNoErrors();
    }

    @Test
    void aDeliveryShowsInTheWebhooksLog() {
        // a receiver on loopback needs a Drydock that allows private networks (a test-only setting)
        try (BuildFixture local = BuildFixture.withParties(Map.of("webhooks.allow-private-network", "true",
                "webhooks.retry-base", "100ms", "webhooks.retry-cap", "400ms"), UnaryOperator.identity());
             Receiver receiver = Receiver.answering(204)) {
            Browser.Tab tab = browser.signInTo(local.d, SETTINGS + "?tab=webhooks", ORG_ADMIN, TestDrydock.PASSWORD);
            Page page = tab.page();
            page.getByLabel("URL").fill(receiver.url());
            page.getByLabel("Signing secret").fill("a-receiver-chosen-secret-0123456789");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create webhook")).click();
            assertThat(page.locator("#webhook-secret pre.secret")).hasText("a-receiver-chosen-secret-0123456789");

            local.register("echo");
            local.push("echo", "1.0", "amd64");
            org.awaitility.Awaitility.await().atMost(BuildFixture.WAIT).until(() -> !receiver.requests.isEmpty());
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Show deliveries")).click();
            Locator log = page.locator("#webhooks-table .sub-row table");
            assertThat(log.locator("tbody tr").first()).containsText("delivered · 204");
            assertThat(log.locator("tbody tr").first().locator("td").nth(3)).hasText("1");
            assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Hide deliveries")))
                    .hasAttribute("aria-expanded", "true");
            Browser.screenshot(page, "settings-webhook-deliveries");
            tab.assertNoErrors();
        }
    }

    @Test
    void orgAdminAllowsAndRemovesAVulnerabilityAndReasonsRenderAsText() {
        Browser.Tab tab = orgAdmin("allowlist");
        Page page = tab.page();
        String expires = LocalDate.now(ZoneOffset.UTC).plusDays(30).toString();
        page.getByLabel("CVE or advisory id").fill("CVE-2021-44228");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add to allowlist")).click();
        assertThat(page.locator("#allow-vulnerability-reason-error")).containsText("reason is required");
        page.getByLabel("Reason").fill("not reachable: " + XSS);
        page.getByLabel("Expires").fill(LocalDate.now(ZoneOffset.UTC).minusDays(1).toString());
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add to allowlist")).click();
        assertThat(page.locator("#allow-vulnerability-expires-error")).containsText("expires must be a future date");

        page.getByLabel("Expires").fill(expires);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add to allowlist")).click();
        Locator row = page.locator("#allowlist-table tbody tr");
        assertThat(row).hasCount(1);
        assertThat(row.locator("td").nth(1)).hasText("not reachable: " + XSS);
        assertThat(row).containsText(expires);
        assertThat(row).containsText(ORG_ADMIN);
        assertThat(page.locator("#allowlist-table img")).hasCount(0);
        assertNoXss(page);
        Browser.screenshot(page, "settings-allowlist");

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Remove CVE-2021-44228")).click();
        Browser.dialogButton(page, "Remove").click();
        assertThat(page.locator("#allowlist-table-empty")).isVisible();
        org.assertj.core.api.Assertions.assertThat(f.d.api("GET", "/api/v1/orgs/" + ORG + "/vulnerability-allowlist",
                f.auth(BuildFixture.Party.orgAdmin), null, 200)).isEmpty();

        // continuous monitoring: invalidating builds found vulnerable after release is the org's choice, saved at once
        Locator invalidate = page.getByLabel("Also invalidate such builds (a deployed build stops being deployed)");
        assertThat(invalidate).not().isChecked();
        invalidate.check();
        assertThat(page.locator(".notice").last()).containsText("now invalidated");
        org.assertj.core.api.Assertions.assertThat(f.d.api("GET", "/api/v1/orgs/" + ORG, f.auth(BuildFixture.Party.orgAdmin), null, 200)
                .get("invalidateVulnerableBuilds").asBoolean()).isTrue();
        page.reload();
        assertThat(invalidate).isChecked();
        invalidate.uncheck();
        assertThat(page.locator(".notice").last()).containsText("now only reported");
        tab.assertNoErrors();
    }

    @Test
    void aDeveloperSeesMembersOnlyAndTheApisRefusalForAdminTabs() {
        f.d.addMember(ORG, "<img/src=x/onerror=window.__xss=1>@acme.test", "developer");
        Browser.Tab tab = browser.signInTo(f.d, SETTINGS, DEV, TestDrydock.PASSWORD);
        Page page = tab.page();
        assertThat(page.locator(".tabs a")).hasCount(1);
        assertThat(page.locator(".tabs a")).hasText("Members and roles");
        assertThat(page.locator("#members-table")).containsText("<img/src=x/onerror=window.__xss=1>@acme.test");
        assertThat(page.locator("#add-member")).hasCount(0);
        assertNoXss(page);
        Browser.screenshot(page, "settings-developer");

        page.navigate(SETTINGS + "?tab=robots");
        assertThat(page.locator("#tab-error")).containsText("only an admin of organization " + ORG + " may do this");
        assertThat(page.locator(".tabs a")).hasCount(1);
        tab.assertNoErrors();
    }

    @Test
    void settingsTabsInDarkMode() {
        Browser.Tab tab = browser.open(f.d, ColorScheme.DARK);
        tab.page().navigate("/login?next=" + java.net.URLEncoder.encode(SETTINGS + "?tab=allowlist", java.nio.charset.StandardCharsets.UTF_8));
        Browser.submitSignIn(tab.page(), ORG_ADMIN, TestDrydock.PASSWORD);
        assertThat(tab.page().locator("#allow-vulnerability")).isVisible();
        Browser.screenshot(tab.page(), "settings-allowlist-dark");
        tab.assertNoErrors();
    }
}
