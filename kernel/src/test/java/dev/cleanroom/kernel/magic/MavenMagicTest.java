package dev.cleanroom.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cleanroom.kernel.NotebookSession;
import dev.cleanroom.kernel.RecordedOutputs;
import dev.cleanroom.kernel.eval.CellException;
import dev.cleanroom.kernel.maven.LocalMavenRepository;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code %maven} in a notebook session: the library is usable from the next cell, and the output keeps the lock. */
class MavenMagicTest {
  @TempDir Path remote;
  @TempDir Path local;

  private NotebookSession session;
  private final RecordedOutputs outputs = new RecordedOutputs();

  @BeforeEach
  void start() {
    new LocalMavenRepository(remote).publishGreeter();
    session = NotebookSession.start(Map.of("DCR_MAVEN_REPOSITORY", remote.toUri().toString(),
        "DCR_MAVEN_LOCAL_REPOSITORY", local.toString()));
  }

  @AfterEach
  void close() {
    session.close();
  }

  private DisplayData run(String cell) throws CellException {
    return session.execute(cell, "cell", outputs).orElseThrow();
  }

  private static String text(DisplayData data) {
    return data.getData(MIMEType.TEXT_PLAIN).toString();
  }

  @Test
  void maven_makesTheLibraryUsableInTheNextCell_andTheOutputCarriesTheLock() throws Exception {
    assertThrows(CellException.class, () -> run("new org.example.greeter.Greeter()"), "not there before %maven");

    DisplayData added = run("%maven org.example:greeter:1.0");
    assertEquals("Hello, Ada", text(run("new org.example.greeter.Greeter().greet(\"Ada\")")));

    assertTrue(text(added).startsWith("Added 2 jars to the cells that follow"), text(added));
    JsonObject lock = (JsonObject) added.getData(MIMEType.parse(Magics.LOCK_MIME_TYPE));
    assertEquals(remote.toUri().toString(), lock.get("repository").getAsString());
    assertEquals("org.example:greeter:1.0", lock.getAsJsonArray("requested").get(0).getAsString());
    JsonArray artifacts = lock.getAsJsonArray("artifacts");
    assertEquals(List.of("org.example:greeter:jar:1.0", "org.example:words:jar:1.0"),
        artifacts.asList().stream().map(a -> a.getAsJsonObject().get("coordinates").getAsString()).toList());
    assertEquals(LocalMavenRepository.digest("SHA-256", new LocalMavenRepository(remote).jar("org.example:words:1.0")),
        artifacts.get(1).getAsJsonObject().get("sha256").getAsString());
    assertTrue(outputs.stderr.toString().contains("Downloading ") && outputs.stderr.toString().contains("greeter-1.0.jar"), outputs.stderr.toString());
  }

  @Test
  void mavenList_showsTheLockSoFar_andAddingAgainAddsNothing() throws Exception {
    assertTrue(text(run("%maven --list")).contains("(none; %maven group:artifact:version adds one)"));
    run("%maven org.example:greeter:1.0");

    assertTrue(text(run("%maven org.example:words:1.0")).startsWith("Added 0 jars"));
    String list = text(run("%maven --list"));
    assertTrue(list.contains("org.example:greeter:jar:1.0") && list.contains("org.example:words:jar:1.0"), list);
    assertEquals(2, ((JsonObject) run("%maven --list").getData(MIMEType.parse(Magics.LOCK_MIME_TYPE)))
        .getAsJsonArray("artifacts").size());
  }

  @Test
  void maven_ofALibraryTheBundleHoldsInAnotherVersion_warnsAndLeavesTheBundlesInPlace() throws Exception {
    LocalMavenRepository repository = new LocalMavenRepository(remote);
    repository.publish("com.google.code.gson:gson:2.8.0", Map.of(), List.of());

    assertTrue(text(run("%maven com.google.code.gson:gson:2.8.0")).startsWith("Added 0 jars"));

    assertTrue(outputs.stderr.toString().contains("com.google.code.gson:gson:jar:2.8.0 (the kernel's bundle has version 2.11.0,"),
        outputs.stderr.toString());
  }

  @Test
  void maven_withoutCoordinates_orOfMissingOnes_failsAsAMagicError() {
    CellException none = assertThrows(CellException.class, () -> run("%maven"));
    assertTrue(none.getMessage().contains("%maven needs coordinates"), none.getMessage());
    CellException missing = assertThrows(CellException.class, () -> run("%maven org.example:absent:1.0"));
    assertTrue(missing.getMessage().contains("org.example:absent"), missing.getMessage());
  }

  @Test
  void help_documentsMaven() throws Exception {
    assertTrue(text(run("%help")).contains("%maven group:artifact:version [...]"));
  }
}
