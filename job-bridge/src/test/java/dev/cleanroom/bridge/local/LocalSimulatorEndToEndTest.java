package dev.cleanroom.bridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.bridge.testing.BridgeClient;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.BridgeProcess;
import dev.cleanroom.service.sql.OnBothDatabases;
import dev.cleanroom.bridge.testing.RealInsurance;
import dev.cleanroom.service.sql.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole of stage 2 through the bridge on the embedded defaults, with the real TEE image: alice submits, pat
 * approves, the bridge builds the image (tee-image), runs it in the local Confidential Space simulator on the real
 * insurance rows and their synthetic view and seals the report; pat releases; alice downloads the outputs and the report, and
 * {@code dcr verify --allow-simulator} passes on what she downloaded.
 */
class LocalSimulatorEndToEndTest {
  @TempDir Path dir;

  /** The bridge's arguments for the embedded defaults with the local simulator, on {@code database}. */
  static List<String> arguments(Path dir, TestDatabase database) throws Exception {
    return List.of("--database", database.newUrl(dir), "--work", dir.resolve("work").toString(),
        "--storage", dir.resolve("storage").toString(), "--tokens", BridgeFixture.writeTokens(dir).toString(),
        "--dataset", RealInsurance.provision(dir), "--tee", LocalSimulatorPlatform.NAME,
        "--tee-option", "launcher-bundle=" + RealInsurance.LAUNCHER_BUNDLE, "--poll-millis", "200");
  }

  @OnBothDatabases
  void submitApproveBuildRunReleaseDownload_andDcrVerifyPasses(TestDatabase database) throws Exception {
    RealInsurance.requireTeeImage();
    BridgeProcess bridge = BridgeProcess.start(dir, "bridge", arguments(dir, database));
    BridgeClient client = new BridgeClient(bridge.base());
    try {
      String id = client.submitApproved("alice", "insurance", RealInsurance.notebook());
      JsonNode finished = client.awaitState(id, "FINISHED", Duration.ofMinutes(4));
      assertTrue(finished.path("reason").asText().contains("report verified"), finished.toString());
      assertEquals(200, client.send("pat", "POST", "v1/jobs/" + id + "/release", "{}".getBytes()).statusCode());

      Path folder = dir.resolve("alice-downloads");
      client.downloadJobFolder("alice", id, folder);
      assertEquals("rows 1338, synthetic 1334\n", Files.readString(folder.resolve("outputs/rows.txt")));
      assertEquals(List.of("insurance/commitment.key", "insurance/policy.yaml", "insurance/real.csv", "insurance/synthetic.csv"),
          List.copyOf(JobFolder.at(folder).readReport().manifest().inputs().keySet()),
          "the synthetic view the policy offers is an attested input beside the real rows");
      BridgeClient.VerifyRun verified = BridgeClient.verify(folder, "--allow-simulator", "--trust",
          dir.resolve("work/trust.json").toString());
      assertEquals(0, verified.exitStatus(), verified.output());
      assertTrue(verified.output().contains("VERIFIED as a SIMULATED run"), verified.output());

      assertNoRunLeft(dir);
      assertTrue(Files.notExists(dir.resolve("work/tee/runs/" + id + "/input")), "the staged real rows are gone");
    } finally {
      bridge.stop();
    }
  }

  /** Waits for every simulator run to be stopped, and fails if one is left. */
  static void assertNoRunLeft(Path dir) throws Exception {
    DetachedRuns runs = new DetachedRuns(dir.resolve("work/tee/runs"), Clock.systemUTC());
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!runs.alive().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(List.of(), runs.alive(), "simulator runs left alive");
  }
}
