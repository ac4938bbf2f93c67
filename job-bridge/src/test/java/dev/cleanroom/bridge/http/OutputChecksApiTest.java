package dev.cleanroom.bridge.http;

import static dev.cleanroom.bridge.testing.BridgeFixture.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.bridge.job.JobState;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.FakeWorkload;
import dev.cleanroom.service.sql.OnBothDatabases;
import dev.cleanroom.service.sql.TestDatabase;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output checking in the airlock (issue 19): the disclosure rules of {@code survey}'s policy run on every output of a
 * finished job, the reviewer sees them beside the attested outputs, and the scientist receives the suppressed
 * derivatives, never a withheld output, with the report the release is bound to.
 */
class OutputChecksApiTest {
  @TempDir Path dir;

  private static String finishedSurveyJob(BridgeFixture bridge) throws Exception {
    bridge.platform().behaviour(FakeWorkload.Behaviour.TABLES);
    String id = bridge.submitted("alice", "survey");
    assertEquals(200, bridge.post("pat", "v1/jobs/" + id + "/approve", "{}").statusCode());
    bridge.awaitState(id, JobState.FINISHED);
    return id;
  }

  private static Map<String, JsonNode> byPath(JsonNode checks) {
    Map<String, JsonNode> outputs = new HashMap<>();
    checks.path("outputs").forEach(o -> outputs.put(o.path("path").asText(), o));
    return outputs;
  }

  private static String rule(JsonNode output, String rule) {
    for (JsonNode r : output.path("results")) {
      if (r.path("rule").asText().equals(rule)) {
        return r.path("outcome").asText();
      }
    }
    return "none";
  }

  private static HttpResponse<byte[]> download(BridgeFixture bridge, String user, String id, String path, String as)
      throws Exception {
    return bridge.get(user, "v1/jobs/" + id + "/outputs/download?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8)
        + (as.isEmpty() ? "" : "&as=" + as));
  }

  @OnBothDatabases
  void everyOutputTypeIsChecked_whenTheJobFinishes_andShownToTheReviewerOnly(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String id = finishedSurveyJob(bridge);
      assertEquals(403, bridge.get("alice", "v1/jobs/" + id + "/checks").statusCode(), "in the airlock for the scientist");
      assertEquals(403, bridge.get("audrey", "v1/jobs/" + id + "/checks").statusCode());

      HttpResponse<byte[]> response = bridge.get("pat", "v1/jobs/" + id + "/checks");
      assertEquals(200, response.statusCode(), new String(response.body()));
      Map<String, JsonNode> outputs = byPath(json(response));
      for (String path : new String[] {"outputs/by_smoker.csv", "outputs/summary.txt", "outputs/counts.json",
          "executed.ipynb"}) {
        assertEquals("changed", rule(outputs.get(path), "min_cell_count"), path + ": " + outputs.get(path));
        assertEquals("derivative", outputs.get(path).path("released").asText(), path);
      }
      assertEquals("csv", outputs.get("outputs/by_smoker.csv").path("type").asText());
      assertEquals("flag", rule(outputs.get("outputs/plot.png"), "min_cell_count"), "an image is for the reviewer's eyes");
      assertEquals("withheld", outputs.get("outputs/model.bin").path("released").asText());
      assertEquals("fail", rule(outputs.get("outputs/model.bin"), "file_types"));
      assertEquals("pass", outputs.get(FakeWorkload.OUTPUT).path("outcome").asText());

      // The reviewer reads the attested original by default, and what the scientist would receive on asking.
      assertEquals("smoker,n\nyes,3\nno,212\n", new String(download(bridge, "pat", id, "outputs/by_smoker.csv", "").body()));
      assertEquals("smoker,n\nyes,<10\nno,212\n",
          new String(download(bridge, "pat", id, "outputs/by_smoker.csv", "released").body()));

      JsonNode audit = json(bridge.get("audrey", "v1/audit?job=" + id));
      String checked = "";
      for (JsonNode entry : audit) {
        if (entry.path("action").asText().equals("check_outputs")) {
          checked = entry.path("detail").asText();
        }
      }
      assertTrue(checked.matches("checks\\.json sha256=[0-9a-f]{64}"), "no tally derived from the rows: " + checked);
      assertFalse(audit.toString().contains("by_smoker"), "the audit log names no output");
    }
  }

  @OnBothDatabases
  void onRelease_theScientistReceivesTheSuppressedDerivative_andTheChecksTheReleaseIsBoundTo(TestDatabase database)
      throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String id = finishedSurveyJob(bridge);
      byte[] attestedChecks = bridge.get("pat", "v1/jobs/" + id + "/checks").body();
      assertEquals(200, bridge.post("pat", "v1/jobs/" + id + "/release", "{\"comment\": \"small counts suppressed\"}")
          .statusCode());
      bridge.awaitState(id, JobState.RELEASED);

      HttpResponse<byte[]> csv = download(bridge, "alice", id, "outputs/by_smoker.csv", "");
      assertEquals(200, csv.statusCode(), new String(csv.body()));
      assertEquals("smoker,n\nyes,<10\nno,212\n", new String(csv.body()));
      assertFalse(new String(download(bridge, "alice", id, "executed.ipynb", "").body()).contains("yes,4"));
      assertEquals("Claims by region\nregion  n\nnorth   <10\nsouth   117\n",
          new String(download(bridge, "alice", id, "outputs/summary.txt", "").body()));
      assertEquals("{\"yes\":{\"n\":\"<10\"},\"no\":{\"n\":212}}",
          new String(download(bridge, "alice", id, "outputs/counts.json", "").body()));
      HttpResponse<byte[]> withheld = download(bridge, "alice", id, "outputs/model.bin", "");
      assertEquals(403, withheld.statusCode());
      assertEquals("output_withheld", json(withheld).path("code").asText());

      JsonNode listed = json(bridge.get("alice", "v1/jobs/" + id + "/outputs"));
      assertEquals(6, listed.size(), "the withheld output is not listed for the scientist: " + listed);
      HttpResponse<byte[]> checks = bridge.get("alice", "v1/jobs/" + id + "/checks");
      assertArrayEquals(attestedChecks, checks.body(), "the scientist receives the report the reviewer saw");
      JsonNode released = byPath(json(checks)).get("outputs/by_smoker.csv");
      assertEquals(Sha256.of("smoker,n\nyes,3\nno,212\n".getBytes(StandardCharsets.UTF_8)).hex(),
          released.path("attestedSha256").asText());
      assertEquals(Sha256.of(csv.body()).hex(), released.path("releasedSha256").asText());

      String bound = "";
      for (JsonNode entry : json(bridge.get("audrey", "v1/audit?job=" + id))) {
        if (entry.path("action").asText().equals("release_checks")) {
          bound = entry.path("actor").asText() + " " + entry.path("detail").asText();
        }
      }
      assertEquals("pat released with checks.json sha256=" + Sha256.of(checks.body()).hex(), bound);
    }
  }
}
