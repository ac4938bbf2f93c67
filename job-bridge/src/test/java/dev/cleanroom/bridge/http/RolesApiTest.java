package dev.cleanroom.bridge.http;

import static dev.cleanroom.bridge.testing.BridgeFixture.json;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.bridge.job.Job;
import dev.cleanroom.bridge.job.JobState;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.FakeWorkload;
import dev.cleanroom.bridge.testing.Notebooks;
import dev.cleanroom.service.sql.OnBothDatabases;
import dev.cleanroom.service.sql.TestDatabase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint against every role: the wrong role is 403, a bad or missing token is 401, a job the caller may
 * not see is 404 (as if it did not exist), and outputs stay unreachable to their scientist until released.
 */
class RolesApiTest {
  @TempDir Path dir;

  /** One endpoint: what to send, and which users the role rules refuse with 403. */
  private record Endpoint(String method, String path, String body, Set<String> refused) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  private static List<Endpoint> endpoints(String id, String report) {
    String job = "v1/jobs/" + id;
    Set<String> onlyNobody = Set.of("nobody");
    Set<String> notScientists = Set.of("pat", "quinn", "audrey", "nobody");
    Set<String> notProviders = Set.of("alice", "bob", "audrey", "nobody");
    return List.of(
        new Endpoint("GET", "v1/datasets", null, onlyNobody),
        new Endpoint("GET", "v1/jobs", null, onlyNobody),
        new Endpoint("POST", "v1/jobs?dataset=insurance", "NOTEBOOK", notScientists),
        new Endpoint("GET", job, null, onlyNobody),
        new Endpoint("GET", job + "/timeline", null, onlyNobody),
        new Endpoint("GET", job + "/logs", null, onlyNobody),
        new Endpoint("POST", job + "/cancel", "{}", notScientists),
        new Endpoint("POST", job + "/approve", "{}", notProviders),
        new Endpoint("POST", job + "/reject", "{\"comment\":\"no\"}", notProviders),
        new Endpoint("POST", job + "/release", "{}", notProviders),
        new Endpoint("POST", job + "/withhold", "{\"comment\":\"no\"}", notProviders),
        new Endpoint("GET", job + "/outputs", null, Set.of("audrey", "nobody")),
        new Endpoint("GET", job + "/outputs/download?path=" + FakeWorkload.OUTPUT, null, Set.of("audrey", "nobody")),
        new Endpoint("GET", job + "/notebook", null, onlyNobody),
        new Endpoint("GET", job + "/report", null, onlyNobody),
        new Endpoint("GET", job + "/verification", null, onlyNobody),
        new Endpoint("POST", "v1/verifications", report, onlyNobody),
        new Endpoint("GET", "v1/audit", null, Set.of("alice", "bob", "nobody")));
  }

  private static HttpResponse<byte[]> send(BridgeFixture bridge, Endpoint e, String user) throws Exception {
    HttpRequest.BodyPublisher body = e.body() == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(e.body().equals("NOTEBOOK") ? Notebooks.regression() : e.body().getBytes());
    return bridge.send(e.method(), e.path(), user, e.body() == null ? null : "application/json", body);
  }

  private static void refused(HttpResponse<byte[]> response, int status, String code, String what) throws Exception {
    assertEquals(status, response.statusCode(), what + ": " + new String(response.body()));
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), what);
    JsonNode body = json(response);
    assertEquals(code, body.path("code").asText(), what + ": " + body);
    assertFalse(body.path("message").asText().isBlank(), what);
  }

  @OnBothDatabases
  void everyEndpointRefusesTheWrongRoleWith403_andABadTokenWith401(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String id = bridge.finishedJob();
      String report = new String(bridge.get("pat", "v1/jobs/" + id + "/report").body());
      List<Executable> checks = new ArrayList<>();
      for (Endpoint e : endpoints(id, report)) {
        for (String user : e.refused()) {
          checks.add(() -> refused(send(bridge, e, user), 403, "not_permitted", user + " " + e));
        }
        checks.add(() -> refused(send(bridge, e, "token:not-a-token-of-anyone-at-all"), 401, "unauthorized", "bad token " + e));
        checks.add(() -> refused(send(bridge, e, null), 401, "unauthorized", "no token " + e));
      }
      checks.add(() -> refused(bridge.get(null, "v1/me"), 401, "unauthorized", "GET v1/me without a token"));
      assertAll(checks.stream());

      assertEquals(JobState.FINISHED, bridge.bridge().store().find(id).orElseThrow().state(), "no refused call changed the job");
      assertEquals(1, bridge.bridge().store().list(dev.cleanroom.bridge.store.JobQuery.everyone(java.util.Optional.empty(), 100)).size(),
          "no refused submission was stored");
    }
  }

  @OnBothDatabases
  void aScientistCannotSeeAnothersJob_norAProviderOneOfAnothersDataset(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String id = bridge.finishedJob();
      String job = "v1/jobs/" + id;
      assertEquals(200, bridge.post("pat", job + "/release", "{}").statusCode());
      List<Executable> checks = new ArrayList<>();
      for (String path : List.of(job, job + "/timeline", job + "/logs", job + "/outputs", job + "/notebook",
          job + "/report", job + "/verification", job + "/outputs/download?path=" + FakeWorkload.OUTPUT)) {
        checks.add(() -> refused(bridge.get("bob", path), 404, "unknown_job", "bob GET " + path));
        checks.add(() -> refused(bridge.get("quinn", path), 404, "unknown_job", "quinn GET " + path));
      }
      checks.add(() -> refused(bridge.post("bob", job + "/cancel", "{}"), 404, "unknown_job", "bob cancels"));
      checks.add(() -> refused(bridge.post("quinn", job + "/withhold", "{\"comment\":\"x\"}"), 404, "unknown_job", "quinn withholds"));
      checks.add(() -> assertEquals(0, json(bridge.get("bob", "v1/jobs")).size(), "bob's list"));
      checks.add(() -> assertEquals(0, json(bridge.get("quinn", "v1/jobs")).size(), "quinn's list"));
      checks.add(() -> assertEquals(1, json(bridge.get("pat", "v1/jobs")).size(), "pat's list"));
      checks.add(() -> assertEquals(1, json(bridge.get("audrey", "v1/jobs")).size(), "the auditor's list"));
      checks.add(() -> assertEquals(id, json(bridge.get("alice", "v1/jobs")).get(0).path("id").asText(), "alice's list"));
      assertAll(checks.stream());
    }
  }

  @OnBothDatabases
  void outputsAreUnreachableToTheirScientistUntilReleased(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      bridge.platform().holdRuns();
      String id = bridge.submitted("alice", "insurance", "claims");
      String outputs = "v1/jobs/" + id + "/outputs";
      String download = outputs + "/download?path=" + FakeWorkload.OUTPUT;
      refused(bridge.get("alice", outputs), 403, "outputs_not_released", "SUBMITTED");
      bridge.post("pat", "v1/jobs/" + id + "/approve", "{}");
      bridge.post("quinn", "v1/jobs/" + id + "/approve", "{}");
      bridge.awaitState(id, JobState.RUNNING);
      refused(bridge.get("alice", download), 403, "outputs_not_released", "RUNNING");
      refused(bridge.get("pat", outputs), 409, "no_outputs", "the provider, while RUNNING");
      bridge.platform().releaseRuns();
      bridge.awaitState(id, JobState.FINISHED);
      refused(bridge.get("alice", download), 403, "outputs_not_released", "FINISHED");

      bridge.post("pat", "v1/jobs/" + id + "/release", "{}");
      refused(bridge.get("alice", download), 403, "outputs_not_released", "released by one of two providers");
      assertEquals(200, bridge.get("quinn", download).statusCode(), "the last provider reviews the outputs in the airlock");
      bridge.post("quinn", "v1/jobs/" + id + "/withhold", "{\"comment\":\"the model file is too detailed\"}");
      refused(bridge.get("alice", outputs), 403, "outputs_not_released", "withheld");
      assertEquals("RELEASED", json(bridge.post("quinn", "v1/jobs/" + id + "/release", "{\"comment\":\"after review\"}"))
          .path("state").asText());

      HttpResponse<byte[]> file = bridge.get("alice", download);
      assertEquals(200, file.statusCode());
      assertEquals(FakeWorkload.MODEL, new String(file.body()));
      assertEquals("attachment; filename=\"model.txt\"", file.headers().firstValue("Content-Disposition").orElseThrow());
      refused(bridge.get("alice", outputs + "/download?path=manifest.json"), 404, "unknown_output", "a record file");
      refused(bridge.get("alice", outputs + "/download?path=../../notebook.ipynb"), 404, "unknown_output", "a path out");
    }
  }

  @OnBothDatabases
  void theAuditorReadsEveryReleasedReportButNoOutput_andTheAuditLogHasEveryActionAndRefusal(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String id = bridge.finishedJob();
      refused(bridge.get("audrey", "v1/jobs/" + id + "/report"), 403, "outputs_not_released", "a report before release");
      assertEquals(200, bridge.post("pat", "v1/jobs/" + id + "/release", "{}").statusCode());
      assertEquals(200, bridge.get("audrey", "v1/jobs/" + id + "/report").statusCode());
      JsonNode verification = json(bridge.get("audrey", "v1/jobs/" + id + "/verification"));
      assertTrue(verification.path("passed").asBoolean(), verification.toString());
      assertTrue(verification.path("simulated").asBoolean());
      refused(bridge.get("audrey", "v1/jobs/" + id + "/outputs"), 403, "not_permitted", "auditor outputs");
      bridge.get("bob", "v1/jobs/" + id);

      JsonNode audit = json(bridge.get("audrey", "v1/audit?job=" + id));
      List<String> entries = new ArrayList<>();
      audit.forEach(e -> entries.add(e.path("actor").asText() + " " + e.path("action").asText() + " " + e.path("outcome").asText()));
      assertEquals(List.of("bob get unknown_job", "audrey list_outputs not_permitted", "audrey download_report ok",
          "pat release_checks ok", "pat release ok", "audrey download_report outputs_not_released",
          "bridge check_outputs ok", "pat approve ok", "alice submit ok"), entries);
      assertEquals(entries.size(), json(bridge.get("pat", "v1/audit")).size(), "pat reads the entries about his datasets' jobs");
      assertEquals(entries.size(), bridge.bridge().store().verifyAuditChain());
      assertTrue(Files.exists(bridge.storage().file("jobs/" + id + "/result/report.json")));
    }
  }
  /**
   * Issue 13, point 4: in a job reading pat's insurance and quinn's claims, what came out may derive from either's rows.
   * Neither provider reads the report or the outputs before the other released them; the scientist and the auditor
   * only once both did; the store and the audit log record each provider's release.
   */
  @OnBothDatabases
  void aTwoProviderJobsResults_reachAProviderOnlyOnceTheOtherReleasedThem(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String id = bridge.submitted("alice", "insurance", "claims");
      String job = "v1/jobs/" + id;
      bridge.post("pat", job + "/approve", "{}");
      bridge.post("quinn", job + "/approve", "{}");
      bridge.awaitState(id, JobState.FINISHED);
      List<String> results = List.of(job + "/outputs", job + "/outputs/download?path=" + FakeWorkload.OUTPUT,
          job + "/report", job + "/verification");
      for (String path : results) {
        for (String user : List.of("pat", "quinn", "alice", "audrey")) {
          int status = bridge.get(user, path).statusCode();
          assertTrue(status == 403, user + " GET " + path + " before any release answered " + status);
        }
      }
      assertFalse(json(bridge.get("pat", job)).path("resultsReadable").asBoolean());

      assertEquals("FINISHED", json(bridge.post("pat", job + "/release", "{}")).path("state").asText());
      for (String path : results) {
        assertEquals(200, bridge.get("quinn", path).statusCode(), "quinn, whom only his own release waits for: " + path);
        for (String user : List.of("pat", "alice", "audrey")) {
          int status = bridge.get(user, path).statusCode();
          assertTrue(status == 403, user + " GET " + path + " before quinn's release answered " + status);
        }
      }
      assertTrue(json(bridge.get("quinn", job)).path("resultsReadable").asBoolean());
      assertFalse(json(bridge.get("pat", job)).path("resultsReadable").asBoolean());

      assertEquals("RELEASED", json(bridge.post("quinn", job + "/release", "{}")).path("state").asText());
      assertEquals(200, bridge.get("pat", job + "/outputs/download?path=" + FakeWorkload.OUTPUT).statusCode());
      assertEquals(200, bridge.get("alice", job + "/outputs/download?path=" + FakeWorkload.OUTPUT).statusCode());
      assertEquals(200, bridge.get("audrey", job + "/report").statusCode());

      Job released = bridge.bridge().store().find(id).orElseThrow();
      assertEquals(List.of("pat approve", "quinn approve", "pat release", "quinn release"),
          released.decisions().stream().map(d -> d.provider() + " " + d.kind().code()).toList());
      List<String> audited = new ArrayList<>();
      json(bridge.get("audrey", "v1/audit?job=" + id)).forEach(e -> {
        if (e.path("action").asText().equals("release")) {
          audited.add(e.path("actor").asText() + " " + e.path("outcome").asText());
        }
      });
      assertEquals(List.of("quinn ok", "pat ok"), audited, "each provider's release, newest first");
    }
  }

  /** Before release the audit log, which auditors read, names no output: a provider's download is logged without it. */
  @OnBothDatabases
  void theAuditLogNamesNoOutput(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String id = bridge.finishedJob();
      assertEquals(200, bridge.get("pat", "v1/jobs/" + id + "/outputs/download?path=" + FakeWorkload.OUTPUT).statusCode());
      bridge.get("alice", "v1/jobs/" + id + "/outputs/download?path=" + FakeWorkload.OUTPUT);
      String audit = new String(bridge.get("audrey", "v1/audit?job=" + id).body());
      assertTrue(audit.contains("download_output"), audit);
      assertFalse(audit.contains("model.txt"), audit);
    }
  }
}
