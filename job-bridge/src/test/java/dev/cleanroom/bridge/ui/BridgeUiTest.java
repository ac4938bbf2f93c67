package dev.cleanroom.bridge.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.bridge.job.JobState;
import dev.cleanroom.bridge.testing.Browser;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.FakeHub;
import dev.cleanroom.bridge.testing.FakeWorkload;
import dev.cleanroom.bridge.testing.Notebooks;
import dev.cleanroom.service.sql.TestDatabase;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider's day in the web UI, in headless Chromium: pat signs in, finds alice's notebook in the review queue,
 * reads it and approves it; when it has run, finds it in the output airlock, looks at an output and releases it.
 * Then audrey, an auditor, verifies its report. And a scientist who is logged in to JupyterHub opens the UI of the
 * bridge running as a hub service and is signed in without a token. Screenshots: target/test-output/bridge-ui/.
 */
class BridgeUiTest {
  private static final Path SCREENSHOTS = Path.of("target/test-output/bridge-ui");

  @TempDir Path dir;

  @Test
  void aProviderApprovesAJobAndReleasesItsOutputsByClicking() throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, TestDatabase.SQLITE);
        Browser browser = Browser.start(Files.createDirectories(dir.resolve("browser")))) {
      String id = bridge.submitted("alice", "insurance");
      browser.open(bridge.base().resolve("ui/"));
      browser.type("#token", BridgeFixture.TOKENS.get("pat"));
      browser.screenshot(SCREENSHOTS.resolve("0-sign-in.png"));
      browser.click("#signin-button");
      browser.awaitText("#me", "pat · provider");

      browser.click("[data-nav=queue]");
      browser.find("tr[data-job='" + id + "'] a.job-link");
      browser.screenshot(SCREENSHOTS.resolve("1-review-queue.png"));
      browser.click("tr[data-job='" + id + "'] a.job-link");
      browser.awaitText(".cell-markdown .markdown", "Charges by age and smoking");
      browser.awaitText(".cell-code pre", "Dcr.dataset(\"insurance\")");
      browser.type("#comment", "Reads aggregates only; fine.");
      browser.screenshot(SCREENSHOTS.resolve("2-review-notebook.png"));
      browser.click("#approve");

      bridge.awaitState(id, JobState.FINISHED);
      browser.click("[data-nav=airlock]");
      browser.click("tr[data-job='" + id + "'] a.job-link");
      browser.click("tr[data-output='" + FakeWorkload.OUTPUT + "'] .view-output");
      browser.awaitText(".preview .output-text", "trained on the real rows");
      browser.screenshot(SCREENSHOTS.resolve("3-output-airlock.png"));
      browser.click("#release");
      browser.awaitText(".job h2 .state", "RELEASED");
      browser.screenshot(SCREENSHOTS.resolve("4-released.png"));

      JsonNode job = BridgeFixture.json(bridge.get("alice", "v1/jobs/" + id));
      assertEquals("RELEASED", job.path("state").asText());
      assertEquals("approve pat Reads aggregates only; fine.", decision(job, 0));
      assertEquals("release pat ", decision(job, 1));

      browser.click("#who button");
      browser.type("#token", BridgeFixture.TOKENS.get("audrey"));
      browser.click("#signin-button");
      browser.awaitText("#me", "audrey · auditor");
      browser.click("[data-nav=auditor]");
      browser.find("#pick-job");
      browser.select("#pick-job", id);
      String verdict = browser.awaitText("#verdict", "Verified");
      browser.screenshot(SCREENSHOTS.resolve("5-auditor-verifies.png"));
      assertTrue(verdict.contains("SIMULATED"), verdict);
      assertTrue(Files.size(SCREENSHOTS.resolve("5-auditor-verifies.png")) > 10_000);
    }
  }

  /** Issue 14: what a reviewer reads is what runs. */
  @Test
  void aReviewerSeesCodeThatRunsOtherwiseThanItReadsFlagged_besideItAsJShellParsesIt() throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, TestDatabase.SQLITE);
        Browser browser = Browser.start(Files.createDirectories(dir.resolve("browser")))) {
      var submitted = bridge.submit("alice", Notebooks.hidingCode(), "insurance");
      assertEquals(201, submitted.statusCode(), new String(submitted.body()));
      String id = BridgeFixture.json(submitted).path("id").asText();
      browser.open(bridge.base().resolve("ui/"));
      browser.type("#token", BridgeFixture.TOKENS.get("pat"));
      browser.click("#signin-button");
      browser.awaitText("#me", "pat · provider");
      browser.open(bridge.base().resolve("ui/#/job/" + id));

      browser.awaitText(".hidden-code-warning", "otherwise than it reads at 5 spots");
      browser.awaitText(".cell.flagged .findings", "cell 2, line 2, column 14: the Unicode escape \\u0022, which JShell reads as \"");
      browser.awaitText(".cell.flagged .parsed pre", "String s = \"a\"; y = 7; //\";");
      assertEquals("\\u0022", browser.text(".cell.flagged .submitted mark.flag"));
      assertEquals("\"", browser.text(".cell.flagged .parsed mark.flag"));
      browser.awaitText(".cell.flagged:last-child .findings", "U+202E RIGHT-TO-LEFT OVERRIDE, a bidirectional control");
      browser.awaitText(".cell.flagged:last-child .parsed pre", "/*⟨U+202E⟩ } ⟨U+2066⟩if (isAdmin)⟨U+2069⟩");
      browser.scrollTo(".hidden-code-warning");
      browser.screenshot(SCREENSHOTS.resolve("7-review-flags-hidden-code.png"));
    }
  }

  @Test
  void aUserLoggedInToJupyterHub_isSignedInWithoutAToken_andSignsOut() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (FakeHub hub = FakeHub.start(vertx);
        BridgeFixture bridge = BridgeFixture.start(dir, TestDatabase.SQLITE, hub.bridgeClient("/services/bridge"),
            "/services/bridge");
        Browser browser = Browser.start(Files.createDirectories(dir.resolve("browser")))) {
      hub.user("alice-hub-token-1234", "alice", List.of("scientists"), List.of("user"));
      hub.browserLoggedInAs("alice-hub-token-1234");
      hub.proxiedAt(bridge.base());
      String id = bridge.submitted("token:alice-hub-token-1234", "insurance");

      browser.open(bridge.base().resolve("ui/#/job/" + id));
      browser.awaitText("#me", "alice · scientist");
      browser.awaitText(".job h2", "SUBMITTED");
      browser.screenshot(SCREENSHOTS.resolve("6-hub-login.png"));
      browser.click("#cancel"); // a POST signed in by the cookie, with the UI's CSRF header
      browser.awaitText(".job h2 .state", "CANCELLED");

      browser.click("#who button");
      browser.awaitText("#signin-error", "Signed out of the bridge.");
      browser.find("#hub-logout-link");
      assertEquals(401, bridge.get(null, "v1/me").statusCode());
      browser.open(bridge.base().resolve("ui/"));
      browser.click("#hub-login-link"); // signed out on purpose: back only by asking
      browser.awaitText("#me", "alice · scientist");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static String decision(JsonNode job, int i) {
    JsonNode d = job.path("decisions").get(i);
    return d.path("kind").asText() + " " + d.path("provider").asText() + " " + d.path("comment").asText();
  }
}
