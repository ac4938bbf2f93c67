package dev.cleanroom.tee.libraries;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.kernel.maven.LocalMavenRepository;
import dev.cleanroom.kernel.maven.NotebookLock;
import dev.cleanroom.kernel.maven.NotebookLock.LockedJar;
import dev.cleanroom.tee.api.ImageBuildException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock's jars, fetched once into the content-addressed cache and checked against the lock's sha256. */
class LockedJarsTest {
  @TempDir Path repository;
  @TempDir Path cache;

  private LocalMavenRepository maven;
  private NotebookLock lock;

  @BeforeEach
  void publish() {
    maven = new LocalMavenRepository(repository);
    maven.publishGreeter();
    lock = new NotebookLock(List.of(jar("org.example:greeter:1.0"), jar("org.example:words:1.0")));
  }

  private LockedJar jar(String coordinates) {
    String[] p = coordinates.split(":");
    return new LockedJar(p[0] + ":" + p[1] + ":jar:" + p[2], LocalMavenRepository.digest("SHA-256", maven.jar(coordinates)));
  }

  private LockedJars from(LockedJars.Source source, List<String> progress) {
    return new LockedJars(cache, source, progress::add);
  }

  @Test
  void fetch_fromARepository_givesEachJarByItsImageName_andASecondFetchIsOffline() throws Exception {
    List<String> progress = new ArrayList<>();
    Map<String, Path> jars = from(new LockedJars.Source.Repository(repository.toUri()), progress).fetch(lock);

    assertEquals(List.of("org.example_greeter-1.0.jar", "org.example_words-1.0.jar"), List.copyOf(jars.keySet()));
    assertArrayEquals(Files.readAllBytes(maven.jar("org.example:greeter:1.0")),
        Files.readAllBytes(jars.get("org.example_greeter-1.0.jar")));
    assertEquals(cache.resolve(lock.jars().get(0).sha256() + ".jar"), jars.get("org.example_greeter-1.0.jar"));
    assertEquals(2, progress.size(), progress.toString());

    List<String> again = new ArrayList<>();
    Path gone = Files.createTempDirectory("no-repository");
    assertEquals(jars, from(new LockedJars.Source.Repository(gone.toUri()), again).fetch(lock));
    assertEquals(List.of(), again, "each jar is fetched once");
  }

  @Test
  void fetch_ofAJarWhoseBytesDifferFromTheLock_isRefusedNamingItsCoordinates() throws Exception {
    LocalMavenRepository.tamper(maven.jar("org.example:words:1.0"));
    ImageBuildException e = assertThrows(ImageBuildException.class,
        () -> from(new LockedJars.Source.Repository(repository.toUri()), new ArrayList<>()).fetch(lock));
    assertEquals("library_mismatch", e.code());
    assertTrue(e.getMessage().startsWith("Tried to take org.example:words:jar:1.0 into the image"), e.getMessage());
    assertTrue(Files.notExists(cache.resolve(lock.jars().get(1).sha256() + ".jar")), "nothing cached");
  }

  @Test
  void fetch_fromAFolder_checksEveryJarEvenWhenTheCacheHoldsIt() throws Exception {
    LockedJars.Source folder = new LockedJars.Source.Folder(repository);
    from(folder, new ArrayList<>()).fetch(lock);
    LocalMavenRepository.tamper(maven.jar("org.example:greeter:1.0"));

    ImageBuildException e = assertThrows(ImageBuildException.class, () -> from(folder, new ArrayList<>()).fetch(lock));
    assertEquals("library_mismatch", e.code());
    assertTrue(e.getMessage().contains("org.example:greeter:jar:1.0"), e.getMessage());
  }

  @Test
  void fetch_fromAFlatFolder_findsJarsByTheirFileNames() throws Exception {
    Path flat = Files.createTempDirectory("flat");
    for (String coordinates : List.of("org.example:greeter:1.0", "org.example:words:1.0")) {
      Files.copy(maven.jar(coordinates), flat.resolve(maven.jar(coordinates).getFileName()));
    }
    assertEquals(2, from(new LockedJars.Source.Folder(flat), new ArrayList<>()).fetch(lock).size());
  }

  @Test
  void fetch_ofAJarTheRepositoryLacks_saysWhereItLooked() {
    NotebookLock missing = new NotebookLock(List.of(new LockedJar("org.example:absent:jar:1.0", "0".repeat(64))));
    ImageBuildException e = assertThrows(ImageBuildException.class,
        () -> from(new LockedJars.Source.Repository(repository.toUri()), new ArrayList<>()).fetch(missing));
    assertEquals("library_unavailable", e.code());
    assertTrue(e.getMessage().contains("org.example:absent:jar:1.0"), e.getMessage());
  }
}
