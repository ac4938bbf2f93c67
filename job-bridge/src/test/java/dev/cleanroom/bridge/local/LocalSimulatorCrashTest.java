package dev.cleanroom.bridge.local;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.bridge.testing.BridgeClient;
import dev.cleanroom.bridge.testing.BridgeProcess;
import dev.cleanroom.service.sql.OnBothDatabases;
import dev.cleanroom.bridge.testing.RealInsurance;
import dev.cleanroom.service.sql.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge killed with SIGKILL while the real image builds and while it runs in the local simulator: restarted,
 * it resumes; both jobs end with verified reports; each ran in exactly one simulator run, and none is left.
 * (The moment of upload is too short with the real launcher to aim a kill at; {@code BridgeCrashTest} kills
 * there with runs that write slowly.)
 */
class LocalSimulatorCrashTest {
  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path dir;

  @OnBothDatabases
  void killedDuringBuildAndDuringRun_everyJobEndsOnce(TestDatabase database) throws Exception {
    RealInsurance.requireTeeImage();
    List<String> arguments = LocalSimulatorEndToEndTest.arguments(dir, database);
    BridgeProcess bridge = BridgeProcess.start(dir, "first", arguments);
    BridgeClient client = new BridgeClient(bridge.base());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ids.add(client.submitApproved("alice", "insurance", RealInsurance.notebook()));
    }
    client.awaitAny(ids, "an image building", job -> job.path("state").asText().equals("BUILDING"), WAIT);
    bridge = bridge.killAndRestart("second", client);

    client.awaitAny(ids, "a job running", job -> job.path("state").asText().equals("RUNNING"), WAIT);
    bridge = bridge.killAndRestart("third", client);
    try {
      for (String id : ids) {
        client.awaitState(id, "FINISHED", WAIT);
        assertEquals(200, client.send("pat", "POST", "v1/jobs/" + id + "/release", "{}".getBytes()).statusCode());
      }
      LocalSimulatorEndToEndTest.assertNoRunLeft(dir);
      Map<String, JsonNode> jobs = client.jobs();
      List<String> lost;
      try (Stream<Path> runs = Files.list(dir.resolve("work/tee/runs"))) {
        lost = runs.map(p -> p.getFileName().toString()).filter(name -> name.contains(".lost-")).toList();
      }
      List<Executable> checks = new ArrayList<>();
      checks.add(() -> assertEquals(List.of(), lost, "runs started a second time"));
      for (String id : ids) {
        checks.add(() -> assertEquals("RELEASED", jobs.get(id).path("state").asText(), jobs.get(id).toString()));
        checks.add(() -> assertEquals(1, jobs.get(id).path("run").path("launches").asInt(), jobs.get(id).toString()));
        checks.add(() -> assertTrue(client.json("audrey", "GET", "v1/jobs/" + id + "/verification", null)
            .path("passed").asBoolean(), id + "'s report verifies"));
      }
      assertAll(checks.stream());
    } finally {
      bridge.stop();
    }
  }
}
