package dev.cleanroom.kernel.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** %maven's resolver against a Maven repository the test writes into a folder (no network but the last test). */
class NotebookLibrariesTest {
  @TempDir Path remote;
  @TempDir Path local;

  private LocalMavenRepository repository;
  private final List<String> progress = new ArrayList<>();

  @BeforeEach
  void publish() {
    repository = new LocalMavenRepository(remote);
    repository.publishGreeter();
  }

  private NotebookLibraries libraries(Map<String, String> bundle) {
    return new NotebookLibraries(repository.uri(), local, bundle);
  }

  @Test
  void resolve_bringsTheLibraryAndItsRuntimeDependencies_eachWithTheSha256OfItsBytes() {
    NotebookLibraries.Resolution resolution = libraries(Map.of()).resolve(List.of("org.example:greeter:1.0"),
        progress::add);

    assertEquals(List.of("org.example:greeter:jar:1.0", "org.example:words:jar:1.0"),
        resolution.jars().stream().map(NotebookLibraries.Jar::coordinates).toList(),
        "the test-scoped dependency is left out");
    for (NotebookLibraries.Jar jar : resolution.jars()) {
      assertTrue(jar.file().startsWith(local), jar.file() + " is kept in the local repository");
      String coordinates = jar.coordinates().replace(":jar:", ":");
      assertEquals(LocalMavenRepository.digest("SHA-256", repository.jar(coordinates)), jar.sha256(), coordinates);
    }
    assertTrue(progress.stream().anyMatch(line -> line.startsWith("Downloading ") && line.endsWith("greeter-1.0.jar ...")),
        progress.toString());
    assertTrue(progress.stream().anyMatch(line -> line.startsWith("Downloaded ") && line.contains("words-1.0.jar (1 KB")),
        progress.toString());
  }

  @Test
  void resolve_aSecondTime_takesTheJarsFromTheLocalRepository_withoutDownloading() {
    libraries(Map.of()).resolve(List.of("org.example:greeter:1.0"), progress::add);
    progress.clear();

    NotebookLibraries.Resolution again = libraries(Map.of()).resolve(List.of("org.example:greeter:1.0"), progress::add);

    assertEquals(2, again.jars().size());
    assertEquals(List.of("Resolving org.example:greeter:1.0 from " + remote.toUri()), progress);
  }

  @Test
  void resolve_reportsALibraryTheBundleHoldsInAnotherVersion_andDoesNotAddIt() {
    repository.publish("com.google.code.gson:gson:2.8.0", Map.of(), List.of());
    repository.publish("org.example:json-user:1.0", Map.of(), List.of(
        new LocalMavenRepository.Dependency("com.google.code.gson:gson:2.8.0", "compile"),
        new LocalMavenRepository.Dependency("org.example:words:1.0", "runtime")));

    NotebookLibraries.Resolution resolution = libraries(Map.of("com.google.code.gson:gson", "2.11.0",
        "org.example:words", "1.0")).resolve(List.of("org.example:json-user:1.0"), progress::add);

    assertEquals(List.of("org.example:json-user:jar:1.0"),
        resolution.jars().stream().map(NotebookLibraries.Jar::coordinates).toList());
    assertEquals(List.of(new NotebookLibraries.Conflict("com.google.code.gson:gson:jar:2.8.0", "2.11.0")),
        resolution.conflicts());
    assertEquals(List.of("org.example:words:jar:1.0"), resolution.alreadyBundled());
  }

  @Test
  void resolve_refusesAJarWhoseBytesDifferFromTheRepositorysChecksum() throws IOException {
    LocalMavenRepository.tamper(repository.jar("org.example:words:1.0"));

    NotebookLibraries.ResolutionException e = assertThrows(NotebookLibraries.ResolutionException.class,
        () -> libraries(Map.of()).resolve(List.of("org.example:greeter:1.0"), progress::add));

    assertTrue(e.getMessage().contains("org.example:words:jar:1.0") && e.getMessage().contains("hecksum"),
        e.getMessage());
  }

  @Test
  void resolve_ofCoordinatesThatDoNotExist_namesThemAndTheRepository() {
    NotebookLibraries.ResolutionException e = assertThrows(NotebookLibraries.ResolutionException.class,
        () -> libraries(Map.of()).resolve(List.of("org.example:absent:2.0"), progress::add));

    assertTrue(e.getMessage().contains("org.example:absent") && e.getMessage().contains(remote.toUri().toString()),
        e.getMessage());
  }

  @Test
  void resolve_ofSomethingThatIsNotCoordinates_showsTheForm() {
    NotebookLibraries.ResolutionException e = assertThrows(NotebookLibraries.ResolutionException.class,
        () -> libraries(Map.of()).resolve(List.of("commons-math3"), progress::add));

    assertTrue(e.getMessage().contains("group:artifact:version"), e.getMessage());
  }

  @Test
  void bundleOf_theKernelsClassPath_namesItsMavenLibrariesWithTheirVersions() {
    Map<String, String> bundle = NotebookLibraries.bundleOf(System.getProperty("java.class.path"));

    assertEquals("2.11.0", bundle.get("com.google.code.gson:gson"));
    assertEquals("0.44.4", bundle.get("tech.tablesaw:tablesaw-core"));
  }

  /** The one test that needs the network: Maven Central, which the build itself resolves from. */
  @Test
  void resolve_fromMavenCentral_whereReachable() throws IOException {
    assumeTrue(reachable(NotebookLibraries.CENTRAL), "Maven Central is not reachable from here");

    NotebookLibraries.Resolution resolution = new NotebookLibraries(NotebookLibraries.CENTRAL, local, Map.of())
        .resolve(List.of("org.apache.commons:commons-math3:3.6.1"), progress::add);

    assertEquals(List.of("org.apache.commons:commons-math3:jar:3.6.1"),
        resolution.jars().stream().map(NotebookLibraries.Jar::coordinates).toList());
    NotebookLibraries.Jar jar = resolution.jars().get(0);
    assertEquals(LocalMavenRepository.digest("SHA-256", jar.file()), jar.sha256());
    try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.file().toFile())) {
      assertTrue(file.getEntry("org/apache/commons/math3/util/FastMath.class") != null, "a real commons-math3 jar");
    }
  }

  private static boolean reachable(URI repository) {
    try {
      HttpURLConnection connection = (HttpURLConnection) repository.resolve(
          "org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.pom").toURL().openConnection();
      connection.setConnectTimeout(5_000);
      connection.setReadTimeout(5_000);
      connection.setRequestMethod("HEAD");
      return connection.getResponseCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }
}
