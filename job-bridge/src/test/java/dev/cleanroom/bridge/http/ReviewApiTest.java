package dev.cleanroom.bridge.http;

import static dev.cleanroom.bridge.testing.BridgeFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.Notebooks;
import dev.cleanroom.service.sql.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a reviewer reads is what runs (issue 14): the review view names every spot where JShell parses a notebook
 * otherwise than it reads, and shows each code cell as JShell parses it.
 */
class ReviewApiTest {
  @TempDir Path dir;

  @Test
  void theReviewView_flagsAnEscapedQuoteAndTrojanSource_andShowsTheCodeAsJShellParsesIt() throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, TestDatabase.SQLITE)) {
      HttpResponse<byte[]> submitted = bridge.submit("alice", Notebooks.hidingCode(), "insurance");
      assertEquals(201, submitted.statusCode(), new String(submitted.body()));
      String id = json(submitted).path("id").asText();

      HttpResponse<byte[]> response = bridge.get("pat", "v1/jobs/" + id + "/review");
      assertEquals(200, response.statusCode(), new String(response.body()));
      JsonNode review = json(response);
      assertEquals(List.of("2:2:14 unicode_escape \\u0022", "3:1:3 bidi_control \u202E", "3:1:7 bidi_control \u2066",
          "3:1:20 bidi_control \u2069", "3:1:22 bidi_control \u2066"), findings(review));
      JsonNode escaped = review.path("findings").get(0);
      assertEquals("U+0022 QUOTATION MARK", escapedMeaning(escaped));
      JsonNode cell = review.path("cells").get(0);
      assertEquals(2, cell.path("cell").asInt(), "cell 1 is markdown: it runs nothing");
      assertTrue(cell.path("parsed").asText().contains("String s = \"a\"; y = 7; //\";"), cell.toString());
      assertTrue(review.path("cells").get(1).path("parsed").asText().startsWith("/*⟨U+202E⟩ } ⟨U+2066⟩if"));
    }
  }

  @Test
  void theReviewView_isForWhoMaySeeTheJob() throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, TestDatabase.SQLITE)) {
      String id = bridge.submitted("alice", "insurance");
      assertEquals(200, bridge.get("alice", "v1/jobs/" + id + "/review").statusCode());
      assertEquals(200, bridge.get("audrey", "v1/jobs/" + id + "/review").statusCode());
      assertEquals(404, bridge.get("bob", "v1/jobs/" + id + "/review").statusCode());
      assertEquals(404, bridge.get("quinn", "v1/jobs/" + id + "/review").statusCode());
      JsonNode clean = json(bridge.get("pat", "v1/jobs/" + id + "/review"));
      assertEquals(0, clean.path("findings").size(), clean.toString());
    }
  }

  @Test
  void aDatasetWhosePolicyRefusesHiddenCode_refusesTheNotebookAtSubmission_beforeAnyReview() throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, TestDatabase.SQLITE)) {
      HttpResponse<byte[]> refused = bridge.submit("alice", Notebooks.hidingCode(), "insurance", "claims");
      assertEquals(422, refused.statusCode(), new String(refused.body()));
      JsonNode error = json(refused);
      assertEquals("hidden_code_refused", error.path("code").asText());
      String message = error.path("message").asText();
      assertTrue(message.contains("claims") && message.contains("cell 2, line 2, column 14"), message);
      assertEquals(0, json(bridge.get("quinn", "v1/jobs")).size(), "nothing for the provider to review");
      assertEquals(0, json(bridge.get("alice", "v1/jobs")).size());
      JsonNode audit = json(bridge.get("audrey", "v1/audit")).get(0);
      assertEquals("submit hidden_code_refused alice", audit.path("action").asText() + " "
          + audit.path("outcome").asText() + " " + audit.path("actor").asText());

      assertEquals(201, bridge.submit("alice", Notebooks.regression(), "claims").statusCode(), "a plain notebook passes");
    }
  }

  @Test
  void theReviewView_listsTheNotebooksOwnLibraries() throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, TestDatabase.SQLITE)) {
      HttpResponse<byte[]> submitted = bridge.submit("alice", Notebooks.withLibraries(Map.of(
          "org.example:words:jar:1.0", "b".repeat(64), "org.apache.commons:commons-math3:jar:3.6.1", "a".repeat(64))),
          "insurance");
      assertEquals(201, submitted.statusCode(), new String(submitted.body()));
      JsonNode libraries = json(bridge.get("pat", "v1/jobs/" + json(submitted).path("id").asText() + "/review"))
          .path("libraries");
      assertEquals("[{\"coordinates\":\"org.apache.commons:commons-math3:jar:3.6.1\",\"sha256\":\"" + "a".repeat(64)
          + "\",\"licence\":null,\"newToDeployment\":true},{\"coordinates\":\"org.example:words:jar:1.0\",\"sha256\":\""
          + "b".repeat(64) + "\",\"licence\":null,\"newToDeployment\":true}]", libraries.toString(),
          "sorted by coordinates; no POM in the repository states a licence; no image held them");
    }
  }

  @Test
  void aDatasetWhosePolicyRestrictsLibraries_refusesANotebookWithOthers_beforeAnyReview() throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, TestDatabase.SQLITE)) {
      byte[] notebook = Notebooks.withLibraries(Map.of("org.example:words:jar:1.0", "b".repeat(64),
          "org.apache.commons:commons-math3:jar:3.6.1", "a".repeat(64)));
      HttpResponse<byte[]> refused = bridge.submit("alice", notebook, "insurance", "claims");
      assertEquals(422, refused.statusCode(), new String(refused.body()));
      JsonNode error = json(refused);
      assertEquals("libraries_refused", error.path("code").asText());
      assertEquals("The policy of dataset claims allows a notebook's own libraries (%maven) only from the groups"
          + " org.apache.commons; this notebook's lock has org.example:words:jar:1.0. Remove those %maven cells (or use"
          + " the bundled libraries), save the notebook, and submit it again, or ask the dataset's provider to allow them.",
          error.path("message").asText());
      assertEquals(0, json(bridge.get("quinn", "v1/jobs")).size(), "nothing for the provider to review");
      assertEquals(201, bridge.submit("alice", Notebooks.withLibraries(Map.of(
          "org.apache.commons:commons-math3:jar:3.6.1", "a".repeat(64))), "claims").statusCode(), "an allowed group passes");
    }
  }

  @Test
  void aLockWhoseCoordinatesWouldLeaveTheirFolder_isRefusedAtSubmission() throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, TestDatabase.SQLITE)) {
      HttpResponse<byte[]> refused = bridge.submit("alice",
          Notebooks.withLibraries(Map.of("org.example:../../../etc:jar:1.0", "a".repeat(64))), "insurance");
      assertEquals(400, refused.statusCode(), new String(refused.body()));
      assertEquals("invalid_notebook", json(refused).path("code").asText());
    }
  }

  private static String escapedMeaning(JsonNode finding) {
    return finding.path("meaning").asText();
  }

  private static List<String> findings(JsonNode review) {
    List<String> lines = new ArrayList<>();
    review.path("findings").forEach(f -> lines.add(f.path("cell").asInt() + ":" + f.path("line").asInt() + ":"
        + f.path("column").asInt() + " " + f.path("kind").asText() + " " + f.path("text").asText()));
    return lines;
  }
}
