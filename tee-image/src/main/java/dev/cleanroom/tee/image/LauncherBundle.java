package dev.cleanroom.tee.image;

import dev.cleanroom.tee.api.ImageBuildException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The jars the image's {@code /app/lib} holds, in class path order: the tee-image jar, then its runtime
 * dependencies (kernel, attestation, the notebook libraries) as Maven orders them. tee-image's build writes
 * it to {@code tee-image/target/launcher}: {@code lib/*.jar} and {@code classpath.txt}.
 *
 * <p>Invariant: only jars the class path names go into the image, in its order; a stale jar lying in
 * {@code lib/} from an earlier build is never picked up.
 */
public record LauncherBundle(Path dir, List<Path> jars) {
  /** Where the bundle is taken from when set: a system property, else an environment variable. */
  public static final String PROPERTY = "dcr.launcher.bundle";
  public static final String VARIABLE = "DCR_LAUNCHER_BUNDLE";
  static final String CLASSPATH_FILE = "classpath.txt";

  public LauncherBundle {
    jars = List.copyOf(jars);
  }

  /** Reads a bundle folder. */
  public static LauncherBundle at(Path dir) throws ImageBuildException {
    Path classpathFile = dir.resolve(CLASSPATH_FILE);
    Path lib = dir.resolve("lib");
    if (!Files.isRegularFile(classpathFile) || !Files.isDirectory(lib)) {
      throw new ImageBuildException("bundle_missing", "Tried to read the launcher bundle in " + dir + " but failed"
          + " because: it has no " + CLASSPATH_FILE + " and lib/. Build it with './dcr build' (Maven package of tee-image).");
    }
    List<Path> jars = new ArrayList<>();
    try {
      try (Stream<Path> own = Files.list(lib)) {
        own.filter(f -> f.getFileName().toString().matches("tee-image-.*\\.jar")).sorted().forEach(jars::add);
      }
      if (jars.size() != 1) {
        throw new ImageBuildException("bundle_missing", "Tried to read the launcher bundle in " + dir + " but failed"
            + " because: lib/ holds " + jars.size() + " tee-image jars, not one. Rebuild it from a clean target"
            + " folder ('./dcr build').");
      }
      String classpath = Files.readString(classpathFile, StandardCharsets.UTF_8).strip();
      for (String entry : classpath.isEmpty() ? new String[0] : classpath.split(":")) {
        Path jar = dir.resolve(entry).normalize();
        if (!jar.startsWith(lib) || !Files.isRegularFile(jar) || !entry.endsWith(".jar")) {
          throw new ImageBuildException("bundle_missing", "Tried to read the launcher bundle in " + dir + " but failed"
              + " because: its class path names '" + entry + "', which is not a jar in lib/. Rebuild it ('./dcr build').");
        }
        jars.add(jar);
      }
    } catch (IOException e) {
      throw new ImageBuildException("bundle_missing", "Tried to read the launcher bundle in " + dir
          + " but failed because: " + e.getMessage(), e);
    }
    return new LauncherBundle(dir, jars);
  }

  /**
   * The bundle of this installation: {@value #PROPERTY} or {@value #VARIABLE} if set, else the {@code
   * launcher} folder beside this class's own build output ({@code tee-image/target/classes} or the jar in
   * {@code tee-image/target/launcher/lib}).
   */
  public static LauncherBundle installed() throws ImageBuildException {
    Optional<String> configured = Optional.ofNullable(System.getProperty(PROPERTY))
        .or(() -> Optional.ofNullable(System.getenv(VARIABLE))).filter(s -> !s.isBlank());
    if (configured.isPresent()) {
      return at(Path.of(configured.get()));
    }
    Path codeSource;
    try {
      codeSource = Path.of(LauncherBundle.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | NullPointerException | SecurityException e) {
      throw new ImageBuildException("bundle_missing", "Tried to find the launcher bundle but failed because: this"
          + " class's location is unknown. Set " + VARIABLE + " to tee-image/target/launcher.");
    }
    Path target = Files.isDirectory(codeSource) ? codeSource.getParent() : codeSource.getParent().getParent().getParent();
    Path bundle = target.resolve("launcher");
    if (!Files.isDirectory(bundle)) {
      throw new ImageBuildException("bundle_missing", "Tried to find the launcher bundle beside " + codeSource
          + " but failed because: " + bundle + " does not exist. Build it with './dcr build', or set " + VARIABLE + ".");
    }
    return at(bundle);
  }

  /** The class path inside the image: each jar under {@code /app/lib}, in order. */
  public List<String> imageClasspath() {
    return jars.stream().map(j -> dev.cleanroom.tee.layout.ImageLayout.APP_LIB + "/" + j.getFileName()).toList();
  }
}
