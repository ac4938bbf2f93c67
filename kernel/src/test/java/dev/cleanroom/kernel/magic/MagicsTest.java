package dev.cleanroom.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpServer;
import dev.cleanroom.kernel.jobs.JobBridgeClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job magics' own checks, made before any call to a bridge. Talking to a real bridge through JupyterHub is
 * jupyterhub-config/tests/test_tour.py.
 */
class MagicsTest {
  @TempDir Path dir;

  private final Magics withoutBridge = new Magics(Optional.empty(), Map.of(), jar -> { });

  private String refusal(String line) {
    return assertThrows(Magics.MagicException.class, () -> withoutBridge.run(line)).code();
  }

  @Test
  void submitWithoutABridge_saysWhoSetsIt() {
    Magics.MagicException e = assertThrows(Magics.MagicException.class, () -> withoutBridge.run("%submit"));
    assertEquals("no_job_bridge", e.code());
    assertTrue(e.getMessage().contains("DCR_BRIDGE_URL"), e.getMessage());
  }

  @Test
  void submitArguments_areCheckedFirst() {
    assertEquals("unknown_option", refusal("%submit --force"));
    assertEquals("missing_argument", refusal("%submit --dataset"));
    assertEquals("too_many_arguments", refusal("%submit a.ipynb b.ipynb"));
  }

  @Test
  void mavenArguments_areCheckedBeforeAnyResolution() {
    assertEquals("missing_argument", refusal("%maven"));
    assertEquals("unknown_option", refusal("%maven --offline org.example:greeter:1.0"));
  }

  @Test
  void jobMagics_needOneWellFormedId() {
    assertEquals("missing_argument", refusal("%job"));
    assertEquals("missing_argument", refusal("%outputs"));
    assertEquals("invalid_job_id", refusal("%outputs ../../etc"));
    assertEquals("no_job_bridge", refusal("%job job-k3v9x2m4q7b1c8d5"));
  }

  /**
   * The attack of issue 14: JShell translates {@code \\u0022} into a quote before it parses, so the cell reads as a
   * string and runs {@code y = 7}. {@code %submit} names each such spot before it sends the notebook, and sends it.
   */
  @Test
  void submit_warnsOfEachSpotThatRunsOtherwiseThanItReads_beforeItSubmits() throws Exception {
    JsonArray cells = new JsonArray();
    cells.add(cell("markdown", "# A study"));
    cells.add(cell("code", "int y = 0;\nString s = \"a\\u0022; y = 7; //\";\nDcr.dataset(\"insurance\");"));
    cells.add(cell("code", "/*\u202E } \u2066if (isAdmin)\u2069 \u2066 begin admins only */"));
    JsonObject notebook = new JsonObject();
    notebook.add("cells", cells);
    notebook.add("metadata", new JsonObject());
    notebook.addProperty("nbformat", 4);
    notebook.addProperty("nbformat_minor", 5);
    Path file = Files.writeString(dir.resolve("study.ipynb"), notebook.toString());

    AtomicReference<byte[]> submitted = new AtomicReference<>();
    HttpServer bridge = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    bridge.createContext("/v1/jobs", exchange -> { // the bridge's answer to a submission (job-bridge.yaml)
      submitted.set(exchange.getRequestBody().readAllBytes());
      byte[] job = """
          {"id": "job-k3v9x2m4q7b1c8d5", "name": "study.ipynb", "state": "SUBMITTED", "reason": "", "final": false,
           "datasets": [{"name": "insurance"}], "submittedAt": "2026-12-07T20:00:00Z", "approvalsPending": ["pat"],
           "releasesPending": [], "hasReport": false}""".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(201, job.length);
      exchange.getResponseBody().write(job);
      exchange.close();
    });
    bridge.start();
    PrintStream savedErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      Magics magics = new Magics(Optional.of(new JobBridgeClient(
          URI.create("http://127.0.0.1:" + bridge.getAddress().getPort()), "alice-token")), Map.of(), jar -> { });
      magics.run("%submit " + file);
    } finally {
      System.setErr(savedErr);
      bridge.stop(0);
    }
    assertArrayEquals(Files.readAllBytes(file), submitted.get(), "the notebook is still submitted, as saved");
    String warning = err.toString(StandardCharsets.UTF_8);
    assertTrue(warning.contains("cell 2, line 2, column 14: the Unicode escape \\u0022, which JShell reads as \""),
        warning);
    assertTrue(warning.contains("cell 3, line 1, column 3: U+202E RIGHT-TO-LEFT OVERRIDE"), warning);
    assertTrue(warning.contains("cell 3, line 1, column 7: U+2066 LEFT-TO-RIGHT ISOLATE"), warning);
    assertTrue(warning.indexOf("Warning") < warning.indexOf("cell 2"), warning);
  }

  private static JsonObject cell(String type, String source) {
    JsonObject cell = new JsonObject();
    cell.addProperty("cell_type", type);
    cell.add("metadata", new JsonObject());
    cell.addProperty("source", source);
    return cell;
  }
}
