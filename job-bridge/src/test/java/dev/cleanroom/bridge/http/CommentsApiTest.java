package dev.cleanroom.bridge.http;

import static dev.cleanroom.bridge.testing.BridgeFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.FakeWorkload;
import dev.cleanroom.kernel.jobs.JobBridgeClient;
import dev.cleanroom.service.sql.OnBothDatabases;
import dev.cleanroom.service.sql.TestDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/**
 * Comments between a job's scientist and its providers (issue 19): on the job for whoever sees it, on an output only
 * for whoever may read the outputs, so that an output's name does not leave the airlock in a comment.
 */
class CommentsApiTest {
  @TempDir Path dir;

  private static List<String> comments(BridgeFixture bridge, String user, String id) throws Exception {
    List<String> lines = new ArrayList<>();
    for (JsonNode c : json(bridge.get(user, "v1/jobs/" + id + "/comments"))) {
      lines.add(c.path("author").asText() + (c.has("output") ? " on " + c.path("output").asText() : "") + ": "
          + c.path("body").asText());
    }
    return lines;
  }

  @OnBothDatabases
  void commentsOnTheJobAndOnAnOutput_reachWhoMayReadThem(TestDatabase database) throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, database)) {
      String id = bridge.finishedJob();
      assertEquals(201, bridge.post("alice", "v1/jobs/" + id + "/comments", "{\"body\": \"Is the model ready?\"}").statusCode());
      assertEquals(403, bridge.post("alice", "v1/jobs/" + id + "/comments",
          "{\"body\": \"this one?\", \"output\": \"" + FakeWorkload.OUTPUT + "\"}").statusCode(),
          "before release the scientist cannot name an output");
      assertEquals(201, bridge.post("pat", "v1/jobs/" + id + "/comments",
          "{\"body\": \"The coefficients look fine.\", \"output\": \"" + FakeWorkload.OUTPUT + "\"}").statusCode());
      assertEquals(404, bridge.post("pat", "v1/jobs/" + id + "/comments",
          "{\"body\": \"?\", \"output\": \"outputs/none.txt\"}").statusCode());
      assertEquals(404, bridge.post("quinn", "v1/jobs/" + id + "/comments", "{\"body\": \"hi\"}").statusCode(),
          "another provider's job is not hers to see");
      assertEquals(403, bridge.post("audrey", "v1/jobs/" + id + "/comments", "{\"body\": \"hi\"}").statusCode());

      assertEquals(List.of("alice: Is the model ready?", "pat on outputs/model.txt: The coefficients look fine."),
          comments(bridge, "pat", id));
      assertEquals(List.of("alice: Is the model ready?"), comments(bridge, "alice", id), "the output's comment waits");
      assertEquals(List.of("alice: Is the model ready?"), comments(bridge, "audrey", id));
      assertFalse(json(bridge.get("audrey", "v1/audit?job=" + id)).toString().contains("model.txt"),
          "the audit log names no output");

      assertEquals(200, bridge.post("pat", "v1/jobs/" + id + "/release", "{}").statusCode());
      bridge.awaitState(id, dev.cleanroom.bridge.job.JobState.RELEASED);
      assertEquals(List.of("alice: Is the model ready?", "pat on outputs/model.txt: The coefficients look fine."),
          comments(bridge, "alice", id));
      // What the kernel's %job shows.
      List<JobBridgeClient.Comment> seen = new JobBridgeClient(bridge.base(), BridgeFixture.TOKENS.get("alice")).comments(id);
      assertEquals(List.of("alice  Is the model ready?", "pat outputs/model.txt The coefficients look fine."),
          seen.stream().map(c -> c.author() + " " + c.output() + " " + c.body()).toList());
    }
  }
}
