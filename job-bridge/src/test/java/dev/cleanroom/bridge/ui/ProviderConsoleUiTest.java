package dev.cleanroom.bridge.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.bridge.job.JobState;
import dev.cleanroom.bridge.testing.Browser;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.FakeWorkload;
import dev.cleanroom.service.sql.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider's console in headless Chromium (issue 19): an output with a small count flagged beside it, suppressed
 * on release, and the audit log showing the checks and what the release was bound to; and a two-person release that
 * one approver does not make. Screenshots: target/test-output/bridge-ui/.
 */
class ProviderConsoleUiTest {
  private static final Path SCREENSHOTS = Path.of("target/test-output/bridge-ui");

  @TempDir Path dir;

  private static void signIn(Browser browser, BridgeFixture bridge, String user, String roles) throws Exception {
    browser.open(bridge.base().resolve("ui/"));
    browser.type("#token", BridgeFixture.TOKENS.get(user));
    browser.click("#signin-button");
    browser.awaitText("#me", user + " · " + roles);
  }

  private static String finished(BridgeFixture bridge, String dataset) throws Exception {
    String id = bridge.submitted("alice", dataset);
    assertEquals(200, bridge.post("pat", "v1/jobs/" + id + "/approve", "{}").statusCode());
    bridge.awaitState(id, JobState.FINISHED);
    return id;
  }

  @Test
  void aSmallCountIsShownBesideItsOutput_suppressedOnRelease_andTheAuditLogShowsIt() throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, TestDatabase.SQLITE);
        Browser browser = Browser.start(Files.createDirectories(dir.resolve("browser")))) {
      bridge.platform().behaviour(FakeWorkload.Behaviour.TABLES);
      String id = finished(bridge, "survey");
      signIn(browser, bridge, "pat", "provider");
      browser.click("[data-nav=airlock]");
      browser.click("tr[data-job='" + id + "'] a.job-link");
      String csv = "tr[data-output='outputs/by_smoker.csv']";
      String rule = browser.awaitText(csv + " li[data-rule=min_cell_count]", "1 of 2 count cell(s) below 10, released as <10");
      assertTrue(rule.startsWith("min_cell_count: changed"), rule);
      browser.awaitText("tr[data-output='outputs/model.bin'] .checks strong", "withheld");
      browser.click(csv + " .view-output");
      browser.awaitText(".preview .output-text", "yes,3");
      browser.awaitText(".audit-log li[data-action=check_outputs]", "checks.json sha256=");
      browser.scrollTo(csv);
      browser.screenshot(SCREENSHOTS.resolve("console-1-output-checks.png"));
      browser.type("#comment", "Small counts suppressed; the binary stays here.");
      browser.click("#release");
      browser.awaitText(".job h2 .state", "RELEASED");
      browser.awaitText(".audit-log li[data-action=release_checks]", "released with checks.json sha256=");

      browser.click("#who button");
      signIn(browser, bridge, "alice", "scientist");
      browser.open(bridge.base().resolve("ui/#/job/" + id));
      browser.click(csv + " .view-output");
      String released = browser.awaitText(".preview .output-text", "yes,<10");
      assertTrue(!released.contains("yes,3"), released);
      browser.screenshot(SCREENSHOTS.resolve("console-2-scientist-receives-suppressed.png"));
    }
  }

  @Test
  void aTwoPersonRelease_refusesASingleApprover() throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, TestDatabase.SQLITE);
        Browser browser = Browser.start(Files.createDirectories(dir.resolve("browser")))) {
      String id = finished(bridge, "cohort");
      signIn(browser, bridge, "pat", "provider");
      browser.open(bridge.base().resolve("ui/#/job/" + id));
      browser.click("#release");
      browser.awaitText(".facts", "released by pat; needs 2 of pat, quinn, rosa");
      assertEquals("FINISHED", browser.text(".job h2 .state"));
      browser.screenshot(SCREENSHOTS.resolve("console-3-two-person-one-release.png"));
      assertEquals(JobState.FINISHED, bridge.bridge().store().find(id).orElseThrow().state());

      browser.click("#who button");
      signIn(browser, bridge, "quinn", "provider");
      browser.click("[data-nav=airlock]");
      browser.click("tr[data-job='" + id + "'] a.job-link");
      browser.click("#release");
      browser.awaitText(".job h2 .state", "RELEASED");
    }
  }
}
