package dev.cleanroom.kernel.jupyter;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes the {@code dcr-java} kernelspec: a {@code kernel.json} that starts {@link KernelMain} with an
 * absolute {@code java} (so Jupyter never picks up an older JDK from its PATH) and the kernel's jars.
 *
 * <p>{@code install} copies the jars into the kernelspec folder, so the kernel keeps working when the
 * build tree is cleaned; tests point a kernelspec at the build's class path instead.
 */
public final class KernelSpec {
  public static final String NAME = "dcr-java";
  public static final String DISPLAY_NAME = "Java (clean room)";
  /** JVM options of the kernel process (the installing JVM is the kernel's JVM: dcr passes its own). */
  static final List<String> JVM_OPTIONS = List.of(
      "--enable-native-access=ALL-UNNAMED", "-Djava.awt.headless=true");

  private KernelSpec() {}

  /**
   * Installs the kernelspec under {@code kernelsDir/dcr-java}, copying the kernel jar and its
   * libraries from {@code jarsDir} (the kernel jar) and {@code jarsDir/lib}.
   */
  public static Path install(Path kernelsDir, Path java, Path kernelJar, Path libDir) throws IOException {
    Path dir = kernelsDir.resolve(NAME);
    Path lib = dir.resolve("lib");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> old = Files.list(lib)) {
        for (Path file : old.toList()) {
          Files.delete(file);
        }
      }
    }
    Files.createDirectories(lib);
    Files.copy(kernelJar, lib.resolve("dcr-kernel.jar"), StandardCopyOption.REPLACE_EXISTING);
    try (Stream<Path> jars = Files.list(libDir)) {
      for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
        Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    write(dir, java, "{resource_dir}/lib/*", Map.of());
    return dir;
  }

  /** Writes a kernelspec that runs the kernel from an existing class path (tests, development). */
  public static Path write(Path dir, Path java, String classpath, Map<String, String> env) throws IOException {
    Files.createDirectories(dir);
    List<String> argv = new ArrayList<>();
    argv.add(java.toAbsolutePath().toString());
    argv.addAll(JVM_OPTIONS);
    if (Runtime.version().feature() >= 24) {
      // Guava and classgraph (through tablesaw) still use sun.misc.Unsafe; JDK 24+ warns on every use.
      argv.add("--sun-misc-unsafe-memory-access=allow");
    }
    argv.addAll(List.of("-cp", classpath, KernelMain.class.getName(), "{connection_file}"));
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("argv", argv);
    spec.put("display_name", DISPLAY_NAME);
    spec.put("language", "java");
    // Interrupts arrive as interrupt_request messages: a JVM has no safe SIGINT handler for a cell.
    spec.put("interrupt_mode", "message");
    spec.put("env", env);
    spec.put("metadata", Map.of("debugger", false));
    Files.writeString(dir.resolve("kernel.json"), new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
        .create().toJson(spec) + "\n");
    return dir;
  }

  /**
   * {@code KernelSpec install --java J --jar K --lib L (--user | --prefix P | --kernels-dir D)}:
   * the entry point of {@code ./dcr kernel install}.
   */
  public static void main(String[] args) throws IOException {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("install")) {
        continue;
      }
      if (arg.equals("--user")) {
        options.put("--user", "");
      } else if (arg.startsWith("--") && i + 1 < args.length) {
        options.put(arg, args[++i]);
      } else {
        usage("unexpected argument '" + arg + "'");
      }
    }
    if (!options.containsKey("--java") || !options.containsKey("--jar") || !options.containsKey("--lib")) {
      usage("--java, --jar and --lib are required");
    }
    Path kernels;
    if (options.containsKey("--kernels-dir")) {
      kernels = Path.of(options.get("--kernels-dir"));
    } else if (options.containsKey("--prefix")) {
      kernels = Path.of(options.get("--prefix"), "share", "jupyter", "kernels");
    } else {
      String dataHome = System.getenv("XDG_DATA_HOME");
      kernels = (dataHome == null || dataHome.isBlank()
          ? Path.of(System.getProperty("user.home"), ".local", "share") : Path.of(dataHome))
          .resolve("jupyter").resolve("kernels");
    }
    Path dir = install(kernels, Path.of(options.get("--java")), Path.of(options.get("--jar")), Path.of(options.get("--lib")));
    System.out.println("Installed kernelspec '" + NAME + "' (" + DISPLAY_NAME + ") in " + dir);
  }

  private static void usage(String problem) {
    System.err.println("kernel install: " + problem + "\nusage: ./dcr kernel install [--user | --prefix P]");
    System.exit(2);
  }
}
