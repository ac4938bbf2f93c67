package dev.cleanroom.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Java program as its Maven module builds it: the module's jar, then the runtime class path its build writes
 * to {@code target/classpath.txt}, in that order: exactly what {@code ./dcr bridge} and {@code ./dcr dp-service}
 * run with, so the image runs what the tests ran.
 *
 * <p>Invariant: every entry is a jar file, and no two have the same file name (they all go into one folder of
 * the image).
 */
record JavaApplication(String mainClass, List<Path> classpath) {
  JavaApplication {
    classpath = List.copyOf(classpath);
  }

  /** The application of the module in {@code moduleDir}, built by Maven ({@code ./dcr build}). */
  static JavaApplication built(Path moduleDir, String mainClass) throws ImagesException {
    String module = moduleDir.getFileName().toString();
    Path target = moduleDir.resolve("target");
    Path classpathFile = target.resolve("classpath.txt");
    List<Path> jars = new ArrayList<>();
    try (Stream<Path> files = Files.exists(target) ? Files.list(target) : Stream.empty()) {
      files.filter(f -> f.getFileName().toString().matches("\\Q" + module + "\\E-[0-9][^/]*(?<!-sources|-javadoc|-tests)\\.jar"))
          .sorted().forEach(jars::add);
      if (jars.size() != 1 || !Files.isRegularFile(classpathFile)) {
        throw notBuilt(moduleDir, "it holds " + jars.size() + " " + module + " jars and "
            + (Files.isRegularFile(classpathFile) ? "a" : "no") + " classpath.txt");
      }
      String text = Files.readString(classpathFile, StandardCharsets.UTF_8).strip();
      for (String entry : text.isEmpty() ? new String[0] : text.split(":")) {
        Path jar = Path.of(entry);
        if (!entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
          throw notBuilt(moduleDir, "its class path names '" + entry + "', which is not a jar file");
        }
        jars.add(jar);
      }
    } catch (IOException e) {
      throw notBuilt(moduleDir, e.getMessage());
    }
    Map<String, Path> byName = new HashMap<>();
    for (Path jar : jars) {
      Path other = byName.putIfAbsent(jar.getFileName().toString(), jar);
      if (other != null) {
        throw new ImagesException("build_failed", "Tried to put the class path of " + module + " into one folder but"
            + " failed because: " + other + " and " + jar + " have the same file name. Exclude one of them in "
            + module + "/pom.xml.");
      }
    }
    return new JavaApplication(mainClass, jars);
  }

  private static ImagesException notBuilt(Path moduleDir, String why) {
    return new ImagesException("module_not_built", "Tried to read the build of " + moduleDir + " but failed because: "
        + why + ". Build it first ('./dcr build').");
  }
}
