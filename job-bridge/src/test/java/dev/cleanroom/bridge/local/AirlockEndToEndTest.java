package dev.cleanroom.bridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.bridge.reconcile.RunReasons;
import dev.cleanroom.bridge.testing.BridgeClient;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.BridgeProcess;
import dev.cleanroom.bridge.testing.Browser;
import dev.cleanroom.bridge.testing.RealInsurance;
import dev.cleanroom.service.sql.TestDatabase;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The airlock against a notebook that tries to carry real values out, through the bridge with the real TEE image in
 * the local simulator: it names outputs after values of the real rows (empty files, and a name outside the safe
 * characters), writes a value into a file and prints one, and fails in a cell with a message holding one. Before any
 * release, nothing the scientist or an auditor can ask the bridge for (the job, its timeline and log, outputs,
 * report, verification, notebook, audit log, the UI's pages) holds any of those values; the provider does see them,
 * which shows the test would notice them.
 */
class AirlockEndToEndTest {
  @TempDir Path dir;

  /** Three charges of the real insurance rows (datasets/insurance/real.csv, rows 1–3), as Java prints doubles. */
  private static final List<String> SECRETS = List.of("16884.924", "1725.5523", "4449.462");

  private static byte[] leakyNotebook() {
    return """
        {
         "cells": [
          {"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": null, "outputs": [],
           "source": ["var c = Dcr.dataset(\\"insurance\\").table().numberColumn(\\"charges\\");\\n",
                      "String a = String.valueOf(c.getDouble(0)), b = String.valueOf(c.getDouble(1)), d = String.valueOf(c.getDouble(2));"]},
          {"cell_type": "code", "id": "c2", "metadata": {}, "execution_count": null, "outputs": [],
           "source": ["Dcr.output(\\"v-\\" + a).write(\\"\\");\\n",
                      "Dcr.output(\\"w/\\" + b + \\".txt\\").write(\\"\\");\\n",
                      "java.nio.file.Files.writeString(java.nio.file.Path.of(System.getenv(\\"DCR_OUTPUT_DIR\\"), \\"charge \\" + a + \\":\\"), \\"\\");\\n",
                      "Dcr.output(\\"values.txt\\").write(a + \\",\\" + b + \\",\\" + d);\\n",
                      "System.out.println(\\"first charge \\" + a);"]},
          {"cell_type": "code", "id": "c3", "metadata": {}, "execution_count": null, "outputs": [],
           "source": ["throw new IllegalStateException(\\"the third charge is \\" + d);"]}
         ],
         "metadata": {"kernelspec": {"display_name": "Java (clean room)", "language": "java", "name": "dcr-java"}},
         "nbformat": 4,
         "nbformat_minor": 5
        }
        """.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void beforeRelease_nothingTheScientistOrAnAuditorCanReadHoldsARealValue() throws Exception {
    RealInsurance.requireTeeImage();
    BridgeProcess bridge = BridgeProcess.start(dir, "bridge", LocalSimulatorEndToEndTest.arguments(dir, TestDatabase.SQLITE));
    BridgeClient client = new BridgeClient(bridge.base());
    try {
      String id = client.submitApproved("alice", "insurance", leakyNotebook());
      JsonNode failed = client.awaitState(id, "FAILED", Duration.ofMinutes(4));
      assertTrue(RunReasons.ALL.contains(failed.path("reason").asText()), "a reason from the fixed list: " + failed);

      // The provider reviews what came out: the values are there (so the checks below would see them)...
      String values = text(client.send("pat", "GET", "v1/jobs/" + id + "/outputs/download?path=outputs/values.txt", null));
      assertEquals(String.join(",", SECRETS), values);
      String providersReport = text(client.send("pat", "GET", "v1/jobs/" + id + "/report", null));
      assertTrue(providersReport.contains("v-" + SECRETS.get(0)), providersReport);

      // Everything the scientist and an auditor can ask for, with the outputs' real names guessed right.
      Map<String, String> answers = new LinkedHashMap<>();
      List<String> outputNames = new ArrayList<>(List.of("outputs/values.txt", "outputs/v-" + SECRETS.get(0),
          "outputs/w/" + SECRETS.get(1) + ".txt", "executed.ipynb", "logs/notebook.log"));
      for (String user : List.of("alice", "audrey")) {
        List<String> paths = new ArrayList<>(List.of("v1/jobs", "v1/jobs/" + id, "v1/jobs/" + id + "/timeline",
            "v1/jobs/" + id + "/logs", "v1/jobs/" + id + "/outputs", "v1/jobs/" + id + "/notebook",
            "v1/jobs/" + id + "/report", "v1/jobs/" + id + "/verification", "v1/audit", "v1/audit?job=" + id,
            "v1/me", "v1/datasets", "openapi.yaml", "metrics", "ui/", "ui/app.js"));
        for (String name : outputNames) {
          paths.add("v1/jobs/" + id + "/outputs/download?path=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
        }
        for (String path : paths) {
          HttpResponse<byte[]> answer = client.send(user, "GET", path, null);
          answers.put(user + " GET " + path + " → " + answer.statusCode(), new String(answer.body(), StandardCharsets.UTF_8));
        }
        // Verifying an uploaded report (here the real one, as a scientist with good guesses could forge it) must not
        // compare it with the job's stored outputs: the answer would say whether the guesses are right. (The answer
        // repeats the uploaded report's own content, so it is not searched for the values.)
        JsonNode upload = client.json(user, "POST", "v1/verifications", providersReport.getBytes(StandardCharsets.UTF_8));
        assertTrue(upload.path("files").asText().startsWith("no files"), user + ": " + upload);
      }
      answers.put("the operator's log of the bridge", bridge.output());
      Path runLog = dir.resolve("work/tee/runs/" + id + "/log");
      assertTrue(Files.exists(runLog), "the simulator's log of the run, which the operator reads");
      answers.put("the simulator's log of the run", Files.readString(runLog));
      assertEquals(List.of(), leaks(answers), "real values before release, through the API");

      try (Browser browser = Browser.start(Files.createDirectories(dir.resolve("browser")))) {
        browser.open(bridge.base().resolve("ui/"));
        for (String user : List.of("alice", "audrey")) {
          if (user.equals("audrey")) {
            browser.click("#who button"); // alice signs out
          }
          browser.type("#token", BridgeFixture.TOKENS.get(user));
          browser.click("#signin-button");
          browser.awaitText("#me", user);
          browser.open(bridge.base().resolve("ui/#/job/" + id));
          browser.awaitText(".job h2 .state", "FAILED");
          browser.awaitText(".timeline", "FAILED");
          answers.put(user + " UI job page", browser.text("body"));
          browser.open(bridge.base().resolve("ui/#/auditor"));
          browser.find("#pick-job");
          answers.put(user + " UI auditor page", browser.text("body"));
        }
      }
      assertTrue(answers.get("alice UI job page").contains(RunReasons.NOTEBOOK_FAILED), answers.get("alice UI job page"));
      assertEquals(List.of(), leaks(answers), "real values before release, in the UI");
      assertFalse(providersReport.contains("charge " + SECRETS.get(0)), "a name outside the safe characters is no output");
      assertTrue(answers.keySet().stream().anyMatch(k -> k.startsWith("alice GET v1/jobs/" + id + "/report → 403")), answers.keySet().toString());
    } finally {
      bridge.stop();
    }
  }

  /** Which answers hold which secret. */
  private static List<String> leaks(Map<String, String> answers) {
    List<String> leaks = new ArrayList<>();
    answers.forEach((what, body) -> SECRETS.stream().filter(body::contains).forEach(s -> leaks.add(what + " holds " + s)));
    return leaks;
  }

  private static String text(HttpResponse<byte[]> response) {
    assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
    return new String(response.body(), StandardCharsets.UTF_8);
  }
}
