package dev.cleanroom.bridge.http;

import static dev.cleanroom.bridge.testing.BridgeFixture.json;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.bridge.job.Job;
import dev.cleanroom.bridge.store.JobQuery;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.Notebooks;
import dev.cleanroom.service.sql.OnBothDatabases;
import dev.cleanroom.service.sql.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the bridge does with input that is wrong or hostile: a clear 4xx with a stable code and a message, and
 * nothing stored — no job row, no object in storage.
 */
class BadInputApiTest {
  @TempDir Path dir;

  private static void refused(HttpResponse<byte[]> response, int status, String code, String what) throws IOException {
    assertEquals(status, response.statusCode(), what + ": " + new String(response.body(), StandardCharsets.UTF_8));
    JsonNode body = json(response);
    assertEquals(code, body.path("code").asText(), what + ": " + body);
    assertFalse(body.path("message").asText().isBlank(), what);
  }

  private static void nothingStored(BridgeFixture bridge) throws IOException {
    List<Job> jobs = bridge.bridge().store().list(JobQuery.everyone(Optional.empty(), 500));
    assertEquals(List.of(), jobs.stream().map(Job::id).toList(), "no job stored");
    assertEquals(List.of(), bridge.storage().list("jobs/"), "no object stored");
  }

  private static HttpResponse<byte[]> submitRaw(BridgeFixture bridge, String query, String contentType, byte[] body)
      throws Exception {
    return bridge.send("POST", "v1/jobs?" + query, "alice", contentType, HttpRequest.BodyPublishers.ofByteArray(body));
  }

  @OnBothDatabases
  void notebooksThatAreNotNotebooks_areRefusedWithTheReason(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String valid = new String(Notebooks.regression(), StandardCharsets.UTF_8);
      List<Executable> checks = new ArrayList<>();
      record Case(String what, String body, String reason, String code) {
        Case(String what, String body, String reason) {
          this(what, body, reason, "invalid_notebook");
        }
      }
      for (Case c : List.of(
          new Case("not JSON", "print('hello')", "not valid JSON"),
          new Case("a JSON array", "[1, 2]", "not a JSON object"),
          new Case("nbformat 3", valid.replace("\"nbformat\": 4", "\"nbformat\": 3"), "nbformat 3"),
          new Case("no cells", "{\"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}}", "'cells'"),
          new Case("an unknown cell type", valid.replace("\"markdown\"", "\"html\""), "cell_type 'html'"),
          new Case("a duplicated member", valid.replace("\"nbformat\": 4,", "\"nbformat\": 4, \"nbformat\": 3,"), "Duplicate"),
          new Case("empty", "", "", "invalid_request"))) {
        checks.add(() -> {
          HttpResponse<byte[]> response = submitRaw(bridge, "dataset=insurance", "application/json",
              c.body().getBytes(StandardCharsets.UTF_8));
          refused(response, 400, c.code(), c.what());
          assertTrue(json(response).path("message").asText().contains(c.reason()), c.what() + ": " + json(response));
        });
      }
      checks.add(() -> refused(submitRaw(bridge, "dataset=insurance", "text/plain", Notebooks.regression()), 400,
          "invalid_notebook", "sent as text/plain"));
      assertAll(checks.stream());
      nothingStored(bridge);
    }
  }

  @OnBothDatabases
  void aHundredMegabyteUpload_isRefusedWithoutBeingStored(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      long size = 100L << 20;
      HttpResponse<byte[]> response = bridge.send("POST", "v1/jobs?dataset=insurance", "alice", "application/json",
          HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> new Zeros(size)), size));

      refused(response, 413, "notebook_too_large", "100 MB");
      nothingStored(bridge);
      assertEquals(201, bridge.submit("alice", Notebooks.regression(), "insurance").statusCode(), "the bridge still serves");
    }
  }

  @OnBothDatabases
  void unknownOrClosedDatasets_areRefused(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      assertAll(
          () -> refused(bridge.submit("alice", Notebooks.regression(), "no-such-data"), 400, "unknown_dataset", "unknown"),
          () -> refused(bridge.submit("alice", Notebooks.regression(), "insurance", "no-such-data"), 400, "unknown_dataset", "one unknown"),
          () -> refused(bridge.submit("alice", Notebooks.regression(), "private"), 403, "not_permitted", "not open to alice"),
          () -> refused(bridge.submit("alice", Notebooks.regression()), 400, "invalid_request", "no dataset"),
          () -> refused(bridge.submit("alice", Notebooks.regression(), "insurance'--"), 400, "invalid_request", "SQL in a name"),
          () -> refused(submitRaw(bridge, "dataset=insurance&name=../../etc/passwd", "application/json", Notebooks.regression()),
              400, "invalid_request", "a path as the name"));
      nothingStored(bridge);
    }
  }

  @OnBothDatabases
  void jobIdInjection_isAClear4xxAndChangesNothing(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String id = bridge.submitted("alice", "insurance");
      List<Executable> checks = new ArrayList<>();
      for (String attack : List.of("..%2F..%2Fetc%2Fpasswd", "%2E%2E", "job-aaaaaaaaaaaaaaaa'%20OR%20'1'%3D'1",
          "x'%3B%20DROP%20TABLE%20jobs%3B--", id + "%00", id.toUpperCase(), "job-" + "a".repeat(200))) {
        for (String suffix : List.of("", "/timeline", "/notebook", "/report", "/outputs")) {
          checks.add(() -> refusedAsNoJob(bridge.get("alice", "v1/jobs/" + attack + suffix), attack + suffix));
        }
        checks.add(() -> refusedAsNoJob(bridge.post("pat", "v1/jobs/" + attack + "/approve", "{}"), "approve " + attack));
      }
      checks.add(() -> {
        HttpResponse<byte[]> response = bridge.get("alice", "v1/jobs/../../../etc/passwd");
        refused(response, 404, "not_found", "dot segments (resolved before routing)");
      });
      checks.add(() -> refused(bridge.get("audrey", "v1/audit?job=x'%20OR%201%3D1--"), 400, "invalid_request", "audit filter"));
      assertAll(checks.stream());

      assertEquals(List.of(id), bridge.bridge().store().list(JobQuery.everyone(Optional.empty(), 10)).stream()
          .map(Job::id).toList(), "the job is there and alone");
      assertEquals("SUBMITTED", json(bridge.get("alice", "v1/jobs/" + id)).path("state").asText());
    }
  }

  /** 400 for what is not a job id; 404 where dot segments took the path elsewhere before routing. */
  private static void refusedAsNoJob(HttpResponse<byte[]> response, String what) throws IOException {
    String code = json(response).path("code").asText();
    assertTrue(response.statusCode() == 400 && code.equals("invalid_job_id")
        || response.statusCode() == 404 && code.equals("not_found"), what + ": " + response.statusCode() + " " + code);
  }

  @OnBothDatabases
  void beyondTheJobsInFlightLimit_aSubmissionIs429AndStoresNothing(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      for (int i = 0; i < 3; i++) {
        bridge.submitted("alice", "insurance");
      }
      List<String> before = bridge.storage().list("jobs/");

      refused(bridge.submit("alice", Notebooks.regression("fourth"), "insurance"), 429, "too_many_jobs", "fourth job");

      assertEquals(before, bridge.storage().list("jobs/"));
      assertEquals(3, bridge.bridge().store().list(JobQuery.everyone(Optional.empty(), 10)).size());
      assertEquals(201, bridge.submit("bob", Notebooks.regression(), "insurance").statusCode(), "the limit is per scientist");
    }
  }

  @OnBothDatabases
  void decisionsNeedAReasonWhereTheScientistWillReadOne(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String id = bridge.submitted("alice", "insurance");
      assertAll(
          () -> refused(bridge.post("pat", "v1/jobs/" + id + "/reject", "{}"), 400, "invalid_request", "no reason"),
          () -> refused(bridge.post("pat", "v1/jobs/" + id + "/reject", "{\"comment\":\"\"}"), 400, "invalid_request", "empty"),
          () -> refused(bridge.post("pat", "v1/jobs/" + id + "/approve", "{\"comment\":\"ok\",\"role\":\"admin\"}"), 400,
              "invalid_request", "an unknown member"),
          () -> refused(bridge.post("pat", "v1/jobs/" + id + "/approve", "not json"), 400, "invalid_request", "not JSON"),
          () -> refused(bridge.post("pat", "v1/jobs/" + id + "/release", "{}"), 409, "wrong_state", "release before the run"));
      assertEquals("SUBMITTED", json(bridge.get("alice", "v1/jobs/" + id)).path("state").asText());
    }
  }

  /** {@code size} zero bytes, made as they are read. */
  private static final class Zeros extends InputStream {
    private long left;

    Zeros(long size) {
      this.left = size;
    }

    @Override
    public int read() {
      if (left <= 0) {
        return -1;
      }
      left--;
      return '0';
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      java.util.Arrays.fill(b, off, off + n, (byte) '0');
      left -= n;
      return n;
    }
  }
}
