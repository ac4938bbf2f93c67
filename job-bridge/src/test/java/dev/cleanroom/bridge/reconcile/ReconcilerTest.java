package dev.cleanroom.bridge.reconcile;

import static dev.cleanroom.bridge.testing.BridgeFixture.json;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.bridge.job.Job;
import dev.cleanroom.bridge.job.JobEvent;
import dev.cleanroom.bridge.job.JobState;
import dev.cleanroom.bridge.service.Limits;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.FakeWorkload;
import dev.cleanroom.service.sql.OnBothDatabases;
import dev.cleanroom.service.sql.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** The reconciler drives jobs through build, launch, run and seal, retries what is transient, and cleans up. */
class ReconcilerTest {
  @TempDir Path dir;

  private static String approved(BridgeFixture bridge, String user, String... datasets) throws Exception {
    String id = bridge.submitted(user, datasets);
    for (String provider : bridge.bridge().store().find(id).orElseThrow().providers()) {
      assertEquals(200, bridge.post(provider, "v1/jobs/" + id + "/approve", "{}").statusCode());
    }
    return id;
  }

  private static List<String> timeline(BridgeFixture bridge, String id) {
    return bridge.bridge().store().events(id).stream().map(JobEvent::line).toList();
  }

  private static void awaitNoLiveRun(BridgeFixture bridge, String id) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      Job job = bridge.bridge().store().find(id).orElseThrow();
      if (bridge.platform().live() == 0 && !job.run().mayBeRunning()) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("a run is still live: " + bridge.platform().live() + "; " + timeline(bridge, id));
  }

  @OnBothDatabases
  void everyStateOnTheWay_isOneLogLineAndOneTimelineEvent(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String id = approved(bridge, "alice", "insurance");
      bridge.awaitState(id, JobState.FINISHED);

      List<JobState> states = bridge.bridge().store().events(id).stream().filter(JobEvent::isStateChange)
          .map(e -> e.to().orElseThrow()).toList();
      assertEquals(List.of(JobState.SUBMITTED, JobState.APPROVED, JobState.BUILDING, JobState.BUILT, JobState.LAUNCHING,
          JobState.RUNNING, JobState.FINISHED), states);
      // A state is committed before its log line is written: wait for the last line, a moment behind.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      List<String> logged;
      do {
        Thread.sleep(10);
        logged = bridge.log().stream().filter(l -> l.matches("job " + id + " ([A-Z_]+ → )?[A-Z_]+ by .*")).toList();
      } while (logged.size() < states.size() && System.nanoTime() < deadline);
      assertEquals(states.size(), logged.size(), String.join("\n", bridge.log()));
      assertTrue(timeline(bridge, id).get(6).contains("report verified"), timeline(bridge, id).get(6));
    }
  }

  @OnBothDatabases
  void aTransientBuildFailure_isRetried(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      bridge.platform().imageBuild().failNext(2);
      String id = approved(bridge, "alice", "insurance");

      bridge.awaitState(id, JobState.FINISHED);

      assertEquals(3, bridge.platform().imageBuild().builds());
      assertTrue(timeline(bridge, id).stream().anyMatch(l -> l.contains("build failed (attempt 2), retrying")),
          String.join("\n", timeline(bridge, id)));
    }
  }

  @OnBothDatabases
  void aBuildThatKeepsFailing_failsTheJobWithTheReason(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      bridge.platform().imageBuild().failNext(100);
      String id = approved(bridge, "alice", "insurance");

      Job failed = bridge.awaitState(id, JobState.FAILED);

      assertEquals("gave up after 3 failed attempts to build: the base layer cache is locked by another build", failed.reason());
      assertEquals(0, bridge.platform().launches());
    }
  }

  @OnBothDatabases
  void cancellingARunningJob_stopsItsRun(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      bridge.platform().holdRuns();
      String id = approved(bridge, "alice", "insurance");
      bridge.awaitState(id, JobState.RUNNING);
      assertEquals(1, bridge.platform().live());

      assertEquals("CANCELLED", json(bridge.post("alice", "v1/jobs/" + id + "/cancel", "{\"comment\":\"wrong data\"}"))
          .path("state").asText());

      awaitNoLiveRun(bridge, id);
      bridge.platform().releaseRuns();
      assertEquals(JobState.CANCELLED, bridge.bridge().store().find(id).orElseThrow().state());
    }
  }

  @OnBothDatabases
  void aRunLostWithoutAResult_isStartedOnceMore(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      bridge.platform().holdRuns();
      String id = approved(bridge, "alice", "insurance");
      bridge.awaitState(id, JobState.RUNNING);

      bridge.platform().lose(id);
      bridge.platform().releaseRuns();

      bridge.awaitState(id, JobState.FINISHED);
      assertEquals(2, bridge.platform().launches());
      assertEquals(2, bridge.bridge().store().find(id).orElseThrow().run().launches());
      awaitNoLiveRun(bridge, id);
    }
  }

  @OnBothDatabases
  void aRunLostTooOften_failsTheJob(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      bridge.platform().holdRuns();
      String id = approved(bridge, "alice", "insurance");
      bridge.awaitState(id, JobState.RUNNING);
      bridge.platform().lose(id);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (bridge.platform().launches() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      bridge.awaitState(id, JobState.RUNNING);
      bridge.platform().lose(id);

      Job failed = bridge.awaitState(id, JobState.FAILED);
      assertEquals(RunReasons.LOST, failed.reason());
      bridge.platform().releaseRuns();
    }
  }

  @OnBothDatabases
  void aNotebookThatFails_endsFailedWithItsReport_andItsProviderSeesWhy(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      bridge.platform().behaviour(FakeWorkload.Behaviour.NOTEBOOK_FAILS);
      String id = approved(bridge, "alice", "insurance");

      Job failed = bridge.awaitState(id, JobState.FAILED);

      assertAll(
          () -> assertEquals(RunReasons.NOTEBOOK_FAILED, failed.reason(), "a fixed reason, not the notebook's error"),
          () -> assertTrue(failed.hasReport()),
          () -> assertEquals(200, bridge.get("pat", "v1/jobs/" + id + "/report").statusCode()),
          () -> assertTrue(new String(bridge.get("pat", "v1/jobs/" + id + "/report").body()).contains("IllegalStateException"),
              "the provider reads why in the report"),
          () -> assertEquals(403, bridge.get("audrey", "v1/jobs/" + id + "/report").statusCode(), "never released"),
          () -> assertEquals(200, bridge.get("pat", "v1/jobs/" + id + "/outputs").statusCode()),
          () -> assertEquals(403, bridge.get("alice", "v1/jobs/" + id + "/outputs").statusCode()));
    }
  }

  @OnBothDatabases
  void aReportThatDoesNotVerify_failsTheJob(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      bridge.platform().behaviour(FakeWorkload.Behaviour.TAMPER_OUTPUT);
      String id = approved(bridge, "alice", "insurance");

      Job failed = bridge.awaitState(id, JobState.FAILED);

      assertEquals(RunReasons.REPORT_REFUSED, failed.reason(), "a fixed reason: a check's reason names outputs");
      JsonNode verification = json(bridge.get("pat", "v1/jobs/" + id + "/verification"));
      assertEquals(false, verification.path("passed").asBoolean());
      assertTrue(verification.toString().contains("outputs/model.txt changed since the run"), verification.toString());
      assertEquals(403, bridge.get("audrey", "v1/jobs/" + id + "/verification").statusCode(), "never released");
    }
  }

  @OnBothDatabases
  void aRunOverItsTimeLimit_timesOutAndIsStopped(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database.newUrl(dir), new Limits(1 << 20, 3, Duration.ofSeconds(1)))) {
      bridge.platform().behaviour(FakeWorkload.Behaviour.HANG);
      String id = approved(bridge, "alice", "insurance");

      Job timedOut = bridge.awaitState(id, JobState.TIMED_OUT);

      assertEquals("ran longer than the job's time limit of 1 s", timedOut.reason());
      awaitNoLiveRun(bridge, id);
    }
  }

  @OnBothDatabases
  void outputsNoPolicyHoldsBack_areReleasedWithoutAsking(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String id = approved(bridge, "alice", "open-data");

      Job released = bridge.awaitState(id, JobState.RELEASED);

      assertEquals("no dataset's policy makes the outputs wait for release", released.reason());
      assertEquals(200, bridge.get("alice", "v1/jobs/" + id + "/outputs").statusCode());
    }
  }

  @OnBothDatabases
  void aJobReadingTwoProvidersData_waitsForBoth(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String id = bridge.submitted("alice", "insurance", "claims");
      bridge.post("pat", "v1/jobs/" + id + "/approve", "{}");
      Thread.sleep(300);
      assertEquals(JobState.SUBMITTED, bridge.bridge().store().find(id).orElseThrow().state());
      assertEquals(List.of("quinn"), List.copyOf(bridge.bridge().store().find(id).orElseThrow().approvalsPending()));

      bridge.post("quinn", "v1/jobs/" + id + "/approve", "{}");

      bridge.awaitState(id, JobState.FINISHED);
      assertEquals(1, bridge.platform().imageBuild().builds());
    }
  }

  @OnBothDatabases
  void aRestartedBridge_picksUpEveryJobNotOver(TestDatabase database) throws Exception {
    String url = database.newUrl(dir);
    String building;
    String approvedOnly;
    try (BridgeFixture first = BridgeFixture.start(dir, url, new Limits(1 << 20, 5, Duration.ofMinutes(5)))) {
      first.platform().imageBuild().takes(Duration.ofSeconds(3));
      building = approved(first, "alice", "insurance");
      first.awaitState(building, JobState.BUILDING);
      first.bridge().reconciler().close(Duration.ZERO); // stops driving: the next job stays APPROVED
      approvedOnly = approved(first, "bob", "insurance");
    }
    try (BridgeFixture second = BridgeFixture.start(dir, url, new Limits(1 << 20, 5, Duration.ofMinutes(5)))) {
      second.awaitState(building, JobState.FINISHED);
      second.awaitState(approvedOnly, JobState.FINISHED);
    }
  }

  /**
   * On Confidential Space the provider grants the job's image digest read access to each dataset only once the
   * build printed the digest: the job waits BUILT for every grant instead of launching into a refused token exchange,
   * then runs; the grants are revoked once its run is over.
   */
  @OnBothDatabases
  void aJobWhoseDataGrantIsNotInPlace_waitsBuilt_thenRuns_andItsGrantIsRevokedAtTheEnd(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      bridge.platform().withholdGrants();
      String id = approved(bridge, "alice", "insurance");
      Job built = bridge.awaitState(id, JobState.BUILT);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (bridge.platform().grantChecks() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }

      assertTrue(bridge.platform().grantChecks() >= 2, "the grant is checked again while the job waits");
      assertEquals(JobState.BUILT, bridge.bridge().store().find(id).orElseThrow().state());
      assertEquals(0, bridge.platform().launches());
      assertEquals(1, timeline(bridge, id).stream().filter(l -> l.contains("waiting for 1 data grant(s)")).count(),
          String.join("\n", timeline(bridge, id)));

      bridge.platform().grant(built.imageDigest().orElseThrow(), "insurance");
      bridge.awaitState(id, JobState.FINISHED);
      awaitNoLiveRun(bridge, id);

      assertEquals(1, bridge.platform().launches());
      assertEquals(List.of(id), bridge.platform().revoked());
    }
  }
}
