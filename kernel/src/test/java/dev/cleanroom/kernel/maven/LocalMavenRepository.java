package dev.cleanroom.kernel.maven;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A Maven repository in a folder (the Maven 2 layout, served as {@code file:}) that a test fills with small real
 * libraries: Java sources compiled into a jar, a POM naming its dependencies, and the SHA-1 files Maven checks.
 */
public final class LocalMavenRepository {
  /** A dependency a POM names, such as {@code org.example:words:1.0} in scope {@code compile}. */
  public record Dependency(String coordinates, String scope) {}

  private final Path root;

  public LocalMavenRepository(Path root) {
    this.root = root;
  }

  public URI uri() {
    return root.toUri();
  }

  /**
   * Publishes {@code group:artifact:version}: compiles the sources (class name → source) against the jars of the
   * dependencies already published here, and writes the jar and a POM naming the dependencies.
   *
   * @return the published jar
   */
  public Path publish(String coordinates, Map<String, String> sources, List<Dependency> dependencies) {
    String[] parts = coordinates.split(":");
    try {
      Path classes = Files.createTempDirectory("classes");
      if (!sources.isEmpty()) {
        List<String> arguments = new ArrayList<>(List.of("-d", classes.toString(), "--release", "21"));
        List<String> classPath = dependencies.stream().map(d -> jar(d.coordinates())).filter(Files::isRegularFile)
            .map(Path::toString).toList();
        if (!classPath.isEmpty()) {
          arguments.addAll(List.of("-cp", String.join(java.io.File.pathSeparator, classPath)));
        }
        for (Map.Entry<String, String> source : sources.entrySet()) {
          Path file = classes.resolve(source.getKey().replace('.', '/') + ".java");
          Files.createDirectories(file.getParent());
          arguments.add(Files.writeString(file, source.getValue()).toString());
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler.run(null, null, System.err, arguments.toArray(String[]::new)) != 0) {
          throw new IllegalStateException("The test library " + coordinates + " does not compile; see above");
        }
      }
      Path jar = jar(coordinates);
      Files.createDirectories(jar.getParent());
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
        try (var files = Files.walk(classes)) {
          for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
            out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
            out.write(Files.readAllBytes(file));
            out.closeEntry();
          }
        }
      }
      StringBuilder pom = new StringBuilder("<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
          + "  <modelVersion>4.0.0</modelVersion>\n  <groupId>" + parts[0] + "</groupId>\n  <artifactId>" + parts[1]
          + "</artifactId>\n  <version>" + parts[2] + "</version>\n  <dependencies>\n");
      for (Dependency dependency : dependencies) {
        String[] d = dependency.coordinates().split(":");
        pom.append("    <dependency><groupId>").append(d[0]).append("</groupId><artifactId>").append(d[1])
            .append("</artifactId><version>").append(d[2]).append("</version><scope>").append(dependency.scope())
            .append("</scope></dependency>\n");
      }
      Path pomFile = jar.resolveSibling(parts[1] + "-" + parts[2] + ".pom");
      Files.writeString(pomFile, pom.append("  </dependencies>\n</project>\n"));
      writeSha1(jar);
      writeSha1(pomFile);
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where the jar of {@code group:artifact:version} sits in this repository. */
  public Path jar(String coordinates) {
    String[] parts = coordinates.split(":");
    return root.resolve(parts[0].replace('.', '/')).resolve(parts[1]).resolve(parts[2])
        .resolve(parts[1] + "-" + parts[2] + ".jar");
  }

  /** Makes the POM of a published {@code group:artifact:version} state a licence, as most POMs on Central do. */
  public void statesLicence(String coordinates, String licence) throws IOException {
    String[] parts = coordinates.split(":");
    Path pom = jar(coordinates).resolveSibling(parts[1] + "-" + parts[2] + ".pom");
    Files.writeString(pom, Files.readString(pom).replace("  <dependencies>",
        "  <licenses><license><name>" + licence + "</name></license></licenses>\n  <dependencies>"));
    writeSha1(pom);
  }

  private static void writeSha1(Path file) throws IOException {
    Files.writeString(file.resolveSibling(file.getFileName() + ".sha1"), digest("SHA-1", file), StandardCharsets.US_ASCII);
  }

  public static String digest(String algorithm, Path file) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Appends bytes to a published jar, leaving its SHA-1 file as it was: what a tampering mirror serves. */
  public static void tamper(Path jar) throws IOException {
    try (OutputStream out = Files.newOutputStream(jar, java.nio.file.StandardOpenOption.APPEND)) {
      out.write("tampered".getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** A library org.example:greeter:1.0 whose Greeter uses org.example:words:1.0, plus a test-only dependency. */
  public void publishGreeter() {
    publish("org.example:words:1.0", Map.of("org.example.words.Words",
        "package org.example.words; public final class Words { public static String hello() { return \"Hello\"; } }"),
        List.of());
    // Never published: resolving it would fail, so the test proves test-scoped dependencies are left out.
    Dependency testOnly = new Dependency("org.example:test-helper:1.0", "test");
    publish("org.example:greeter:1.0", Map.of("org.example.greeter.Greeter",
        "package org.example.greeter; public final class Greeter {"
            + " public String greet(String name) { return org.example.words.Words.hello() + \", \" + name; } }"),
        List.of(new Dependency("org.example:words:1.0", "compile"), testOnly));
  }
}
