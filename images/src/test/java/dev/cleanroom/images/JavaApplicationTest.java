package dev.cleanroom.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A module's build as an image takes it: its jar first, then its class path in Maven's order. */
class JavaApplicationTest {
  @TempDir Path dir;

  private Path module(String name, String... classpathJars) throws Exception {
    Path target = Files.createDirectories(dir.resolve(name).resolve("target"));
    Files.writeString(target.resolve(name + "-0.1.0-SNAPSHOT.jar"), "jar");
    Files.writeString(target.resolve(name + "-0.1.0-SNAPSHOT-sources.jar"), "sources");
    StringBuilder classpath = new StringBuilder();
    for (String jar : classpathJars) {
      Path file = Files.createDirectories(dir.resolve("repo").resolve(jar)).resolve(Path.of(jar).getFileName() + ".jar");
      Files.deleteIfExists(file);
      Files.writeString(file, jar);
      classpath.append(classpath.isEmpty() ? "" : ":").append(file);
    }
    Files.writeString(target.resolve("classpath.txt"), classpath + "\n");
    return dir.resolve(name);
  }

  @Test
  void built_putsTheModuleJarFirstThenTheClassPathInOrder() throws Exception {
    Path module = module("job-bridge", "z/vertx-core", "a/jackson-core");
    JavaApplication app = JavaApplication.built(module, "dev.cleanroom.bridge.BridgeMain");
    assertEquals(List.of("job-bridge-0.1.0-SNAPSHOT.jar", "vertx-core.jar", "jackson-core.jar"),
        app.classpath().stream().map(p -> p.getFileName().toString()).toList());
  }

  @Test
  void built_twoJarsWithOneFileName_isRefused() throws Exception {
    Path module = module("job-bridge", "one/core", "two/core");
    ImagesException e = assertThrows(ImagesException.class, () -> JavaApplication.built(module, "Main"));
    assertEquals("build_failed", e.code());
    assertTrue(e.getMessage().contains("have the same file name"), e.getMessage());
  }

  @Test
  void built_aModuleNotBuilt_saysToBuildIt() throws Exception {
    Files.createDirectories(dir.resolve("dp-engine"));
    ImagesException e = assertThrows(ImagesException.class, () -> JavaApplication.built(dir.resolve("dp-engine"), "Main"));
    assertEquals("module_not_built", e.code());
    assertTrue(e.getMessage().endsWith("Build it first ('./dcr build')."), e.getMessage());
  }

  @Test
  void jvmArgs_nameTheClassPathInTheImageInTheModulesOrder() throws Exception {
    JavaApplication app = JavaApplication.built(module("dp-engine", "z/vertx-core", "a/jackson-core"), "Main");
    String args = ServiceImage.jvmArgs(app);
    assertEquals("-cp /app/lib/dp-engine-0.1.0-SNAPSHOT.jar:/app/lib/vertx-core.jar:/app/lib/jackson-core.jar",
        args.lines().findFirst().orElseThrow());
    assertTrue(args.lines().anyMatch("--enable-native-access=ALL-UNNAMED"::equals), "the OpenDP library is loaded by JNI");
  }
}
