package org.lorafoundry.registry.ui;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's {@code chromium} driven through its {@code chromedriver} (both named explicitly, so Selenium Manager never
 * looks for drivers on the network), headless, with a fresh profile per session. Screenshots and page sources of
 * failures go to {@code target/browser/} only.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    /** {@code true}: a machine without the browser fails the test instead of skipping it (CI sets it). */
    static final String REQUIRED_VARIABLE = "FOUNDRY_BROWSER_REQUIRED";
    static final Duration WAIT = Duration.ofSeconds(20);

    private final ChromeDriver driver;
    private final Path profile;
    private final WebDriverWait wait;

    private HeadlessChromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
        // The single-page UI re-renders while a wait reads it: an element found a moment ago may be replaced before its
        // text is read; the wait then simply looks again.
        this.wait = new WebDriverWait(driver, WAIT);
        this.wait.ignoring(StaleElementReferenceException.class);
    }

    /**
     * Skips the calling test, loudly, when chromium or chromedriver is missing, unless {@value #REQUIRED_VARIABLE} is
     * {@code true}: then it fails.
     */
    static void assumeInstalled() {
        if (Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER)) {
            return;
        }
        String message = "Browser tests need Debian's chromium and chromium-driver packages (" + BROWSER + ", "
                + DRIVER + "): apt-get install -y chromium chromium-driver";
        if (Boolean.parseBoolean(System.getenv(REQUIRED_VARIABLE))) {
            Assertions.fail(message + " (" + REQUIRED_VARIABLE + "=true: required here)");
        }
        System.err.println("\n*** SKIPPED: " + message + " ***\n");
        Assumptions.abort(message);
    }

    static HeadlessChromium start() throws IOException {
        assumeInstalled();
        System.setProperty("webdriver.chrome.driver", DRIVER.toString());
        Path profile = Files.createTempDirectory("foundry-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1366,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        try {
            return new HeadlessChromium(new ChromeDriver(service, options), profile);
        } catch (RuntimeException e) {
            deleteProfile(profile);
            throw e;
        }
    }

    ChromeDriver driver() {
        return driver;
    }

    void open(String url) {
        driver.get(url);
    }

    <T> T until(ExpectedCondition<T> condition) {
        return wait.until(condition);
    }

    /**
     * Runs an action that makes the UI render another page (even one with the same heading, e.g. a new search) and
     * waits until the current page is gone, so that what follows reads the new one.
     */
    void replacesPage(Runnable action) {
        WebElement current = driver.findElement(By.cssSelector("main > *"));
        action.run();
        wait.until(ExpectedConditions.stalenessOf(current));
    }

    /** The element once it is displayed. */
    WebElement visible(By locator) {
        return wait.until(d -> {
            List<WebElement> found = d.findElements(locator);
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
    }

    /** The page's heading, once it reads {@code text}. */
    WebElement heading(String text) {
        return wait.until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector("main h1"));
            return found.isEmpty() || !found.get(0).getText().equals(text) ? null : found.get(0);
        });
    }

    /** Errors the page's scripts logged (resource loads the API refused on purpose are the test's business). */
    List<String> scriptErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(message -> !message.contains("Failed to load resource"))
                .toList();
    }

    /** Saves a screenshot and the page's HTML under target/browser/ (never inside the sources). */
    void capture(String name) {
        try {
            Path dir = Path.of("target", "browser");
            Files.createDirectories(dir);
            Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            Files.writeString(dir.resolve(name + ".html"), driver.getPageSource(), StandardCharsets.UTF_8);
            System.err.println("Browser state saved: " + dir.toAbsolutePath().resolve(name + ".png"));
        } catch (IOException | RuntimeException e) {
            System.err.println("Could not save the browser's state: " + e);
        }
    }

    /**
     * With {@code -Dfoundry.browser.screenshots=true}, saves a full-page screenshot under target/browser/ (to look at
     * the pages a test went through); otherwise does nothing.
     */
    void snapshot(String name) {
        if (!Boolean.getBoolean("foundry.browser.screenshots")) {
            return;
        }
        try {
            Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot",
                    Map.of("format", "png", "captureBeyondViewport", true));
            Path dir = Path.of("target", "browser");
            Files.createDirectories(dir);
            Files.write(dir.resolve(name + ".png"), Base64.getDecoder().decode((String) shot.get("data")));
        } catch (IOException | RuntimeException e) {
            System.err.println("Could not save a screenshot: " + e);
        }
    }

    /** The throw-away profile (cache, cookies, session storage); leaving it behind in /tmp would be harmless. */
    private static void deleteProfile(Path profile) {
        try (Stream<Path> paths = Files.walk(profile)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("Could not delete the browser profile " + profile + ": " + e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteProfile(profile);
        }
    }
}
