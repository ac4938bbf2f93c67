package dev.cleanroom.bridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.bridge.testing.BridgeClient;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.BridgeProcess;
import dev.cleanroom.bridge.testing.RealInsurance;
import dev.cleanroom.kernel.NotebookSession;
import dev.cleanroom.kernel.RecordedOutputs;
import dev.cleanroom.kernel.maven.LocalMavenRepository;
import dev.cleanroom.kernel.maven.NotebookLock;
import dev.cleanroom.service.sql.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A notebook's own library through the whole clean room, on a Maven repository the test makes (no network): in stage
 * 1 {@code %maven} resolves it and the saved notebook carries the lock; the bridge lists its jars for review, builds
 * them into the image as a layer of their own, and the notebook uses them in stage 2 offline; {@code dcr verify
 * --rebuild} reproduces the attested digest from the jars and refuses a jar whose bytes differ from the lock; the same
 * notebook again gives the same image digest.
 */
class NotebookLibrariesEndToEndTest {
  private static final String GREETER = "org.example:greeter:1.0";

  @TempDir Path dir;
  private Path repository;
  private LocalMavenRepository maven;

  @BeforeEach
  void publishTheLibrary() {
    RealInsurance.requireTeeImage();
    repository = dir.resolve("maven");
    maven = new LocalMavenRepository(repository);
    maven.publishGreeter();
  }

  @Test
  void aNotebooksOwnLibrary_isReviewed_runsInStage2_andRebuildsToTheAttestedDigest() throws Exception {
    maven.statesLicence(GREETER, "The Apache License, Version 2.0");
    byte[] notebook = notebookAfterStage1(repository);
    NotebookLock lock = NotebookLock.of(notebook);
    assertEquals(2, lock.jars().size(), "greeter and the words it uses");

    BridgeProcess bridge = startBridge();
    BridgeClient client = new BridgeClient(bridge.base());
    try {
      HttpResponse<byte[]> submitted = client.send("alice", "POST", "v1/jobs?dataset=insurance", notebook);
      assertEquals(201, submitted.statusCode(), new String(submitted.body(), StandardCharsets.UTF_8));
      String id = BridgeFixture.JSON.readTree(submitted.body()).path("id").asText();

      JsonNode libraries = client.json("pat", "GET", "v1/jobs/" + id + "/review", null).path("libraries");
      assertEquals(2, libraries.size(), libraries.toString());
      JsonNode greeter = libraries.get(0);
      assertEquals("org.example:greeter:jar:1.0", greeter.path("coordinates").asText());
      assertEquals(LocalMavenRepository.digest("SHA-256", maven.jar(GREETER)), greeter.path("sha256").asText());
      assertEquals("The Apache License, Version 2.0", greeter.path("licence").asText());
      assertTrue(libraries.get(1).path("licence").isNull(), "words' POM states no licence");
      assertTrue(greeter.path("newToDeployment").asBoolean(), "no image of this deployment held it yet");

      assertEquals(200, client.send("pat", "POST", "v1/jobs/" + id + "/approve", "{}".getBytes()).statusCode());
      client.awaitState(id, "FINISHED", Duration.ofMinutes(4));
      assertEquals(200, client.send("pat", "POST", "v1/jobs/" + id + "/release", "{}".getBytes()).statusCode());
      Path folder = dir.resolve("alice-downloads");
      client.downloadJobFolder("alice", id, folder);
      assertEquals("Hello, Ada\n", Files.readString(folder.resolve("outputs/greeting.txt")),
          "stage 2 used the library, from the image, with no repository to reach");
      JobManifest manifest = JobFolder.at(folder).readReport().manifest();
      assertEquals(lock.sha256(), manifest.libraries().orElseThrow().hex(), "the manifest names the lock's hash");

      String trust = dir.resolve("work/trust.json").toString();
      BridgeClient.VerifyRun rebuilt = BridgeClient.verify(folder, "--allow-simulator", "--trust", trust, "--rebuild",
          "--libraries", repository.toString());
      assertEquals(0, rebuilt.exitStatus(), rebuilt.output());

      Path tampered = dir.resolve("tampered");
      copyTree(repository, tampered);
      LocalMavenRepository.tamper(new LocalMavenRepository(tampered).jar(GREETER));
      BridgeClient.VerifyRun refused = BridgeClient.verify(folder, "--allow-simulator", "--trust", trust, "--rebuild",
          "--libraries", tampered.toString());
      assertNotEquals(0, refused.exitStatus(), refused.output());
      assertTrue(refused.output().contains("org.example:greeter:jar:1.0"), refused.output());

      String again = client.submitApproved("alice", "insurance", notebook);
      assertFalse(client.json("pat", "GET", "v1/jobs/" + again + "/review", null).path("libraries").get(0)
          .path("newToDeployment").asBoolean(), "the first job's image held it");
      client.awaitState(again, "FINISHED", Duration.ofMinutes(4));
      assertEquals(200, client.send("pat", "POST", "v1/jobs/" + again + "/release", "{}".getBytes()).statusCode());
      Path second = dir.resolve("alice-downloads-2");
      client.downloadJobFolder("alice", again, second);
      assertEquals(manifest.imageDigest(), JobFolder.at(second).readReport().manifest().imageDigest(),
          "the same notebook and lock give the same image");
    } finally {
      bridge.stop();
    }
  }

  @Test
  void aJarWhoseBytesDifferFromTheLock_failsTheBuild_namingIt() throws Exception {
    byte[] notebook = notebookAfterStage1(repository);
    // The mirror serves other bytes than those the scientist's kernel resolved and locked.
    LocalMavenRepository.tamper(maven.jar("org.example:words:1.0"));

    BridgeProcess bridge = startBridge();
    BridgeClient client = new BridgeClient(bridge.base());
    try {
      String id = client.submitApproved("alice", "insurance", notebook);
      client.awaitAny(List.of(id), "the build to fail", job -> job != null && job.path("final").asBoolean(),
          Duration.ofMinutes(2));
      String log = new String(client.send("audrey", "GET", "v1/jobs/" + id + "/logs", null).body(), StandardCharsets.UTF_8);
      assertTrue(log.contains("org.example:words:jar:1.0") && log.contains("library_mismatch"), log);
    } finally {
      bridge.stop();
    }
  }

  /** The bridge of the embedded defaults with the local simulator, its libraries from {@code repository}. */
  private BridgeProcess startBridge() throws Exception {
    List<String> arguments = new ArrayList<>(LocalSimulatorEndToEndTest.arguments(dir, TestDatabase.SQLITE));
    arguments.addAll(List.of("--maven-repository", repository.toUri().toString()));
    return BridgeProcess.start(dir, "bridge", arguments);
  }

  /**
   * Stage 1 as a scientist's kernel runs it: {@code %maven} resolves the library from {@code repository}; the saved
   * notebook has that cell with its output (the lock), then a cell that uses the library and writes an output.
   */
  static byte[] notebookAfterStage1(Path repository) throws Exception {
    DisplayData added;
    try (NotebookSession session = NotebookSession.start(Map.of("DCR_MAVEN_REPOSITORY", repository.toUri().toString(),
        "DCR_MAVEN_LOCAL_REPOSITORY", Files.createTempDirectory(repository.getParent(), "m2").toString()))) {
      added = session.execute("%maven " + GREETER, "cell", new RecordedOutputs()).orElseThrow();
    }
    ObjectNode notebook = BridgeFixture.JSON.createObjectNode();
    ArrayNode cells = notebook.putArray("cells");
    ObjectNode maven = code(cells, "%maven " + GREETER);
    ObjectNode result = maven.putArray("outputs").addObject().put("output_type", "execute_result").put("execution_count", 1);
    result.putObject("metadata");
    ObjectNode data = result.putObject("data");
    data.put("text/plain", added.getData(MIMEType.TEXT_PLAIN).toString());
    data.set(NotebookLock.MIME_TYPE, BridgeFixture.JSON.readTree(
        added.getData(MIMEType.parse(NotebookLock.MIME_TYPE)).toString()));
    code(cells, "Dcr.output(\"greeting.txt\").write(new org.example.greeter.Greeter().greet(\"Ada\") + \"\\n\");")
        .putArray("outputs");
    notebook.putObject("metadata");
    notebook.put("nbformat", 4).put("nbformat_minor", 5);
    return notebook.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static ObjectNode code(ArrayNode cells, String source) {
    ObjectNode cell = cells.addObject().put("cell_type", "code").put("source", source);
    cell.putObject("metadata");
    cell.putNull("execution_count");
    return cell;
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (var paths = Files.walk(from)) {
      for (Path path : paths.toList()) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }
}
