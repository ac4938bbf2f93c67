package dev.cleanroom.bridge.http;

import static dev.cleanroom.bridge.testing.BridgeFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cleanroom.bridge.job.JobState;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.service.sql.OnBothDatabases;
import dev.cleanroom.service.sql.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two-person release (issue 19): {@code cohort}'s policy says {@code outputs: {release: required, approvers: 2,
 * reviewers: [quinn, rosa]}}, so its outputs leave only once two different people among pat, quinn and rosa released
 * them, neither of them the job's submitter.
 */
class TwoPersonReleaseApiTest {
  @TempDir Path dir;

  private static String finished(BridgeFixture bridge, String scientist) throws Exception {
    String id = bridge.submitted(scientist, "cohort");
    assertEquals(200, bridge.post("pat", "v1/jobs/" + id + "/approve", "{}").statusCode());
    bridge.awaitState(id, JobState.FINISHED);
    return id;
  }

  private static String release(BridgeFixture bridge, String provider, String id) throws Exception {
    var response = bridge.post(provider, "v1/jobs/" + id + "/release", "{}");
    assertEquals(200, response.statusCode(), new String(response.body()));
    return json(response).path("state").asText();
  }

  @OnBothDatabases
  void oneApprover_evenTwice_releasesNothing_aSecondPersonDoes(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String id = finished(bridge, "alice");
      assertEquals("FINISHED", release(bridge, "pat", id));
      assertEquals("FINISHED", release(bridge, "pat", id), "the same person twice is one approver");
      assertEquals(403, bridge.get("alice", "v1/jobs/" + id + "/outputs").statusCode());
      assertEquals(200, bridge.get("quinn", "v1/jobs/" + id + "/outputs").statusCode(), "the reviewer reviews the outputs");
      assertEquals(403, bridge.post("quinn", "v1/jobs/" + id + "/reject", "{\"comment\": \"no\"}").statusCode(),
          "a reviewer decides on the outputs only, not on the notebook");
      assertEquals("RELEASED", release(bridge, "quinn", id));
      assertEquals(200, bridge.get("alice", "v1/jobs/" + id + "/outputs").statusCode());
    }
  }

  @OnBothDatabases
  void theSubmittersOwnRelease_neverCounts_evenWhenSheIsAReviewer(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String id = finished(bridge, "rosa");
      assertEquals(403, bridge.get("rosa", "v1/jobs/" + id + "/outputs").statusCode());
      assertEquals("FINISHED", release(bridge, "rosa", id));
      assertEquals("FINISHED", release(bridge, "pat", id), "rosa submitted it: pat is the first approver");
      assertEquals(403, bridge.get("rosa", "v1/jobs/" + id + "/outputs").statusCode());
      assertEquals("RELEASED", release(bridge, "quinn", id));
      assertEquals(200, bridge.get("rosa", "v1/jobs/" + id + "/outputs").statusCode());
    }
  }

  @OnBothDatabases
  void aWithheldRelease_countsNoLonger(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String id = finished(bridge, "alice");
      assertEquals("FINISHED", release(bridge, "pat", id));
      assertEquals(200, bridge.post("pat", "v1/jobs/" + id + "/withhold", "{\"comment\": \"look again\"}").statusCode());
      assertEquals("FINISHED", release(bridge, "quinn", id), "pat took back her release");
      assertEquals("RELEASED", release(bridge, "rosa", id));
    }
  }
}
