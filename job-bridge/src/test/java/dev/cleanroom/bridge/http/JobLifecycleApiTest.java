package dev.cleanroom.bridge.http;

import static dev.cleanroom.bridge.testing.BridgeFixture.json;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.bridge.job.JobState;
import dev.cleanroom.bridge.testing.BridgeClient;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.FakeImageBuild;
import dev.cleanroom.tee.api.ApprovedInputs;
import dev.cleanroom.bridge.testing.FakeWorkload;
import dev.cleanroom.bridge.testing.Notebooks;
import dev.cleanroom.service.sql.OnBothDatabases;
import dev.cleanroom.service.sql.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job's whole life through the REST API, with the fake TEE platform: submit, approve, build, run, seal,
 * release, download; and the downloaded folder passes {@code dcr verify --allow-simulator --trust} with the
 * deployment's trust file.
 */
class JobLifecycleApiTest {
  @TempDir Path dir;

  @OnBothDatabases
  void submitApproveRunReleaseDownload_andTheReportVerifies(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      HttpResponse<byte[]> submitted = bridge.submit("alice", Notebooks.regression(), "insurance");
      assertEquals(201, submitted.statusCode(), new String(submitted.body()));
      JsonNode job = json(submitted);
      String id = job.path("id").asText();
      assertAll(
          () -> assertEquals("SUBMITTED", job.path("state").asText()),
          () -> assertEquals("/v1/jobs/" + id, submitted.headers().firstValue("Location").orElseThrow()),
          () -> assertEquals("pat", job.path("approvalsPending").get(0).asText()),
          () -> assertEquals(dev.cleanroom.attestation.manifest.Sha256.of(Notebooks.regression()).hex(),
              job.path("notebook").path("sha256").asText()));

      assertEquals(200, bridge.post("pat", "v1/jobs/" + id + "/approve", "{\"comment\":\"reads only aggregates\"}").statusCode());
      bridge.awaitState(id, JobState.FINISHED);

      JsonNode finished = json(bridge.get("alice", "v1/jobs/" + id));
      // The image is built approved for the job's dataset's inputs, which its digest names with the notebook.
      ApprovedInputs approved = ApprovedInputs.fromJson(Files.readAllBytes(
          java.nio.file.Path.of(finished.path("image").path("reference").asText(), "inputs.json")));
      assertTrue(approved.commitments().containsKey("insurance/real.csv"), approved.toList());
      assertTrue(approved.commitments().keySet().stream().allMatch(name -> name.startsWith("insurance/")), approved.toList());
      assertEquals(FakeImageBuild.digestOf(Notebooks.regression(), approved), finished.path("image").path("digest").asText());
      assertTrue(finished.path("hasReport").asBoolean());
      assertEquals(403, bridge.get("alice", "v1/jobs/" + id + "/outputs").statusCode(), "in the airlock");
      JsonNode outputs = json(bridge.get("pat", "v1/jobs/" + id + "/outputs"));
      assertEquals(List.of("executed.ipynb", FakeWorkload.OUTPUT), paths(outputs));

      JsonNode released = json(bridge.post("pat", "v1/jobs/" + id + "/release", "{}"));
      assertEquals("RELEASED", released.path("state").asText());

      // What a scientist downloads is a job folder that dcr verify checks.
      Path folder = dir.resolve("downloaded");
      new BridgeClient(bridge.base()).downloadJobFolder("alice", id, folder);
      assertArrayEquals(FakeWorkload.MODEL.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(folder.resolve(FakeWorkload.OUTPUT)));
      BridgeClient.VerifyRun verified = BridgeClient.verify(folder, "--allow-simulator", "--trust",
          bridge.trustFile().toString());
      assertEquals(0, verified.exitStatus(), verified.output());
      assertTrue(verified.output().contains("VERIFIED as a SIMULATED run"), verified.output());
      HttpResponse<byte[]> file = bridge.get("alice", "v1/jobs/" + id + "/outputs/download?path=" + FakeWorkload.OUTPUT);
      assertEquals("application/octet-stream", file.headers().firstValue("Content-Type").orElseThrow());

      assertEquals(0, bridge.platform().live(), "no run left holding a container");
      assertEquals(1, bridge.platform().launches());
    }
  }

  private static List<String> paths(JsonNode outputs) {
    List<String> paths = new ArrayList<>();
    outputs.forEach(o -> paths.add(o.path("path").asText()));
    return paths;
  }
}
