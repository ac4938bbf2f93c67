package dev.cleanroom.bridge;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.bridge.local.DetachedRuns;
import dev.cleanroom.bridge.testing.BridgeClient;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.BridgeProcess;
import dev.cleanroom.bridge.testing.FakeWorkload;
import dev.cleanroom.bridge.testing.Notebooks;
import dev.cleanroom.service.sql.OnBothDatabases;
import dev.cleanroom.bridge.testing.ProcessTeePlatform;
import dev.cleanroom.service.sql.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge killed with SIGKILL while a job's image builds, while a job runs, and while a job uploads its
 * results; each time it is started again on the same database and storage, resumes every job, and in the end
 * every job reaches a final state with a verified report, each run started exactly once and none left alive.
 *
 * <p>The TEE here is {@link ProcessTeePlatform}: runs are processes of their own that outlive the bridge, as the
 * local simulator's containers do, and wait at gates the test opens, so that each kill lands in its phase however
 * loaded the machine is.
 */
class BridgeCrashTest {
  private static final int JOBS = 3;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @OnBothDatabases
  void killedDuringBuildRunAndUpload_everyJobStillEndsOnce(TestDatabase database) throws Exception {
    List<String> arguments = new ArrayList<>(List.of("--database", database.newUrl(dir), "--work", dir.resolve("work").toString(),
        "--storage", dir.resolve("storage").toString(), "--tokens", BridgeFixture.writeTokens(dir).toString(),
        "--tee", ProcessTeePlatform.NAME, "--tee-option", "build-millis=1500", "--tee-option", "per-file-millis=100",
        "--tee-option", "gated=true", "--poll-millis", "100"));
    for (String spec : BridgeFixture.datasetSpecs(dir)) {
      arguments.addAll(List.of("--dataset", spec));
    }
    BridgeProcess bridge = BridgeProcess.start(dir, "first", arguments);
    BridgeClient client = new BridgeClient(bridge.base());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      ids.add(client.submitApproved("alice", "insurance", Notebooks.regression("job " + i)));
    }

    client.awaitAny(ids, "a job building", job -> job.path("state").asText().equals("BUILDING"), WAIT);
    bridge = bridge.killAndRestart("second", client);

    // Each run waits at its gates: killed while it runs, and again while it uploads (results there, no token yet).
    client.awaitAny(ids, "a job running", job -> job.path("state").asText().equals("RUNNING"), WAIT);
    bridge = bridge.killAndRestart("third", client);
    for (String id : ids) {
      client.awaitState(id, "RUNNING", WAIT);
      release(id, FakeWorkload.RELEASE_RUN);
    }
    client.awaitAny(ids, "a job uploading its results", job -> {
      Path folder = dir.resolve("storage/jobs/" + job.path("id").asText() + "/result");
      return Files.exists(folder.resolve(FakeWorkload.OUTPUT)) && !Files.exists(folder.resolve("token.jwt"));
    }, WAIT);
    bridge = bridge.killAndRestart("fourth", client);
    for (String id : ids) {
      release(id, FakeWorkload.RELEASE_UPLOAD);
    }

    for (String id : ids) {
      client.awaitState(id, "FINISHED", WAIT);
      assertEquals(200, client.send("pat", "POST", "v1/jobs/" + id + "/release", "{}".getBytes()).statusCode());
    }
    DetachedRuns runs = new DetachedRuns(dir.resolve("work/tee/runs"), Clock.systemUTC());
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!runs.alive().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    List<String> starts = Files.readAllLines(dir.resolve("work/tee/starts.log"));
    Map<String, JsonNode> jobs = client.jobs();
    List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
    checks.add(() -> assertEquals(List.of(), runs.alive(), "runs left alive"));
    for (String id : ids) {
      checks.add(() -> assertEquals("RELEASED", jobs.get(id).path("state").asText(), id + ": " + jobs.get(id)));
      checks.add(() -> assertEquals(1, starts.stream().filter(id::equals).count(), id + " was started once: " + starts));
      checks.add(() -> assertTrue(client.json("audrey", "GET", "v1/jobs/" + id + "/verification", null)
          .path("passed").asBoolean(), id + "'s report verifies"));
      checks.add(() -> assertTrue(jobs.get(id).path("run").has("stoppedAt"), id + "'s run was stopped: " + jobs.get(id)));
    }
    try {
      assertAll(checks.stream());
    } finally {
      bridge.stop();
    }
  }

  private void release(String id, String gate) throws Exception {
    Files.createDirectories(ProcessTeePlatform.runFolder(dir.resolve("work"), id));
    Files.writeString(ProcessTeePlatform.runFolder(dir.resolve("work"), id).resolve(gate), "");
  }
}
