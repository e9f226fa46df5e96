package dev.drydock.server.ui;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import dev.drydock.server.TestDrydock;
import dev.drydock.testkit.Prerequisites;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real headless Chromium (Debian's {@code chromium}, driven by Playwright; no browser is downloaded) for the Developer
 * App's tests. One per test class; each {@link #open} is a fresh browser context (its own cookies) on a Drydock.
 * Every page records what the browser reports as an error (script errors, Content-Security-Policy violations) so a
 * test can assert there were none, and {@link #screenshot} writes {@code target/ui-screenshots/<name>.png}.
 */
public final class Browser implements AutoCloseable {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");

    private final Playwright playwright;
    private final com.microsoft.playwright.Browser chromium;

    /** A page in its own context, with the errors the browser reported on it. */
    public record Tab(BrowserContext context, Page page, List<String> errors) {
        /** No script error and no CSP violation so far (resources answered 4xx on purpose are not errors). */
        public void assertNoErrors() {
            assertThat(errors).as("errors reported by the browser").isEmpty();
        }
    }

    private Browser() {
        Prerequisites.require(Files.isExecutable(CHROMIUM), "Chromium (" + CHROMIUM + ")", "chromium");
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        chromium = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(CHROMIUM).setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage")));
    }

    public static Browser launch() {
        return new Browser();
    }

    /** A fresh context (no cookies) on {@code d}, light colour scheme, a laptop-sized window. */
    public Tab open(TestDrydock d) {
        return open(d, ColorScheme.LIGHT);
    }

    public Tab open(TestDrydock d, ColorScheme scheme) {
        BrowserContext context = chromium.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                .setBaseURL(d.url()).setViewportSize(1366, 800).setColorScheme(scheme).setAcceptDownloads(true));
        context.setDefaultTimeout(30_000);
        Page page = context.newPage();
        List<String> errors = new ArrayList<>();
        page.onConsoleMessage(m -> {
            if (m.type().equals("error") && !m.text().startsWith("Failed to load resource: the server responded with a status of 4")) {
                errors.add(m.text());
            }
        });
        page.onPageError(errors::add);
        return new Tab(context, page, errors);
    }

    /** Signs in through the sign-in page; the tab is then on the start page. */
    public Tab signIn(TestDrydock d, String email, String password) {
        Tab tab = open(d);
        signIn(tab.page(), email, password);
        return tab;
    }

    /** Signs in on the way to {@code path} (its {@code next}): the tab is then on that page, not on a start page still redirecting. */
    public Tab signInTo(TestDrydock d, String path, String email, String password) {
        Tab tab = open(d);
        tab.page().navigate("/login?next=" + java.net.URLEncoder.encode(path, java.nio.charset.StandardCharsets.UTF_8));
        submitSignIn(tab.page(), email, password);
        return tab;
    }

    public static void signIn(Page page, String email, String password) {
        page.navigate("/login");
        submitSignIn(page, email, password);
    }

    /** Fills and sends the sign-in form the page shows (keeping its {@code next}), then waits to leave it. */
    public static void submitSignIn(Page page, String email, String password) {
        page.getByLabel("E-mail").fill(email);
        page.getByLabel("Password").fill(password);
        page.getByRole(AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Sign in")).click();
        page.waitForURL(url -> !url.contains("/login"));
        // The start page ("/") sends the browser on to the organization's page without a heading of its own: wait for
        // the page that stays, so a test's next navigation does not race that redirect.
        page.locator("main h1").first().waitFor();
    }

    /**
     * The page's controls that a screen reader could not name: every visible input, select, textarea, button, link and
     * menu item needs a label, an aria-label or text (a placeholder is not a name); also the page must say its language
     * and have one {@code main} with one {@code h1}.
     */
    @SuppressWarnings("unchecked")
    public static List<String> unnamedControls(Page page) {
        return (List<String>) page.evaluate("""
                () => {
                  const problems = [];
                  if (!document.documentElement.lang) problems.push('<html> has no lang');
                  if (document.querySelectorAll('main').length !== 1) problems.push('not exactly one <main>');
                  if (document.querySelectorAll('main h1').length !== 1) problems.push('not exactly one <h1> in <main>');
                  const controls = 'input:not([type=hidden]), select, textarea, button, a[href], [role=menuitem]';
                  for (const el of document.querySelectorAll(controls)) {
                    if (!el.getClientRects().length) continue; // not shown (closed menu, collapsed section)
                    const labelled = el.labels && [...el.labels].map(l => l.textContent).join(' ');
                    const by = el.getAttribute('aria-labelledby');
                    const name = labelled || el.getAttribute('aria-label') || (by && document.getElementById(by)?.textContent)
                        || el.getAttribute('title') || (/^(BUTTON|A)$/.test(el.tagName) || el.getAttribute('role') ? el.textContent : '');
                    if (!name || !name.trim()) problems.push('no accessible name: ' + el.outerHTML.slice(0, 140));
                  }
                  return problems;
                }""");
    }

    /** A button of the open confirmation dialog ({@code ui.js}'s confirmAction), by its exact label. */
    public static Locator dialogButton(Page page, String label) {
        return page.locator("dialog").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(label).setExact(true));
    }

    /** Opens a row's ⋮ menu and chooses the item with exactly this label. */
    public static void choose(Locator row, String label) {
        row.locator(".menu-button").click();
        row.getByRole(AriaRole.MENUITEM, new Locator.GetByRoleOptions().setName(label).setExact(true)).click();
    }

    /**
     * Writes the whole page to {@code target/ui-screenshots/<name>.png} (a test artifact; docs/ keeps the main ones), after
     * asserting that every control on it has an accessible name ({@link #unnamedControls}): every page state a test
     * photographs is checked.
     */
    public static Path screenshot(Page page, String name) {
        assertThat(unnamedControls(page)).as("accessibility of " + name).isEmpty();
        Path file = SCREENSHOTS.resolve(name + ".png");
        page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
        return file;
    }

    @Override
    public void close() {
        chromium.close();
        playwright.close();
    }
}
