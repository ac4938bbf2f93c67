package dev.cleanroom.kernel.jupyter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installed kernelspec and its start-up cache: made at install, used by the launcher, and when stale
 * (here the kernel jar replaced; a JDK update changes the stamp the same way) not used: the kernel starts
 * without it, says nothing alarming, and a fresh cache replaces the old one for the next start.
 */
class KernelSpecTest {
  @Test
  void staleCache_kernelStartsWithoutItQuietlyAndRebuildsIt(@TempDir Path dir) throws Exception {
    Path spec = install(dir);
    assertEquals(Optional.empty(), KernelSpec.buildCache(spec));
    Path made = onlyCache(spec);

    KernelProcess kernel = start(spec, dir.resolve("first"));
    try {
      assertTrue(kernel.commandLine().contains("-XX:AOTCache=" + made), kernel.commandLine());
    } finally {
      kernel.kill();
    }

    // The jar changed after the cache was made: JDK 25 would map the cache anyway and run the old classes.
    Path jar = spec.resolve("lib/dcr-kernel.jar");
    Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 3_600_000));
    KernelProcess stale = start(spec, dir.resolve("stale"));
    try {
      assertFalse(stale.commandLine().contains("AOTCache"), stale.commandLine());
      long deadline = System.nanoTime() + 600_000_000_000L;
      while (Files.exists(made) && System.nanoTime() < deadline) {
        Thread.sleep(500);
      }
      Path remade = onlyCache(spec);
      assertFalse(remade.equals(made), "the stale cache was not replaced in 10 minutes");
      String said = stale.said().toLowerCase(Locale.ROOT);
      for (String alarming : List.of("error", "warn", "exception", "fail", "aot", "cds")) {
        assertFalse(said.contains(alarming), "the kernel's log says '" + alarming + "':\n" + stale.said());
      }
    } finally {
      stale.kill();
    }
  }

  /** {@code ./dcr kernel install} with this build's classes as the kernel jar and its class path as lib/. */
  private static Path install(Path dir) throws IOException {
    Path lib = Files.createDirectories(dir.resolve("build-lib"));
    for (String entry : Files.readString(Path.of("target/classpath.txt")).strip().split(java.io.File.pathSeparator)) {
      Path path = Path.of(entry);
      if (Files.isDirectory(path)) { // a reactor module's classes (dp-engine) in a reactor build
        jar(path, lib.resolve(path.getParent().getParent().getFileName() + ".jar"));
      } else {
        Files.createSymbolicLink(lib.resolve(path.getFileName()), path);
      }
    }
    Path kernelJar = dir.resolve("kernel.jar");
    jar(Path.of("target/classes"), kernelJar);
    Path spec = KernelSpec.install(dir.resolve("kernels"), Path.of(System.getProperty("java.home"), "bin", "java"),
        kernelJar, lib);
    try (Stream<Path> links = Files.list(lib)) { // copied by now; links out of the temporary folder only make noise
      for (Path link : links.toList()) {
        Files.delete(link);
      }
    }
    return spec;
  }

  private static void jar(Path classes, Path jar) {
    ToolProvider tool = ToolProvider.findFirst("jar").orElseThrow();
    assertEquals(0, tool.run(System.out, System.err, "cf", jar.toString(), "-C", classes.toString(), "."));
  }

  private static Path onlyCache(Path spec) throws IOException {
    try (Stream<Path> files = Files.list(spec.resolve("cache"))) {
      List<Path> caches = files.filter(p -> p.getFileName().toString().endsWith(".aot")).toList();
      assertEquals(1, caches.size(), "caches: " + caches);
      return caches.get(0);
    }
  }

  /** Starts the kernel as Jupyter does, through the kernelspec's argv, with no user cache folder to fall back on. */
  private static KernelProcess start(Path spec, Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path connection = KernelProcess.connectionFile(dir);
    Path log = dir.resolve("kernel.log");
    ProcessBuilder builder = new ProcessBuilder("/bin/sh", spec.resolve(KernelSpec.LAUNCHER).toString(),
        connection.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("HOME", dir.toString());
    builder.environment().remove("XDG_CACHE_HOME");
    KernelProcess kernel = KernelProcess.of(builder.start().pid(), connection, log);
    kernel.awaitListening();
    return kernel;
  }
}
