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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Writes the {@code dcr-java} kernelspec: a {@code kernel.json} that starts {@link KernelMain} with an
 * absolute {@code java} (so Jupyter never picks up an older JDK from its PATH) and the kernel's jars.
 *
 * <p>{@code install} copies the jars into the kernelspec folder, so the kernel keeps working when the
 * build tree is cleaned, and starts the kernel through a launcher ({@value #LAUNCHER}) that gives the JVM
 * the kernel's start-up cache: a JDK AOT cache (JEP 483/514/515: classes loaded and linked, method
 * profiles) made at install by a training run ({@link KernelTraining}). The launcher uses a cache only
 * when it was made by this JDK for these jars (their sizes and times): JDK 25 maps a cache made for
 * other jars without a word and runs the old classes it holds. Otherwise the kernel starts without one
 * and a fresh cache is made in the background for the next start: in the kernelspec folder, or, where
 * the user may not write there (a hub's shared kernelspec), in {@code ~/.cache/dcr-java}. Tests point a
 * kernelspec at the build's class path instead, without a cache.
 */
public final class KernelSpec {
  public static final String NAME = "dcr-java";
  public static final String DISPLAY_NAME = "Java (clean room)";
  /** JVM options of the kernel process (the installing JVM is the kernel's JVM: dcr passes its own). */
  static final List<String> JVM_OPTIONS = List.of(
      "--enable-native-access=ALL-UNNAMED", "-Djava.awt.headless=true");
  /** The installed kernelspec's launcher script; {@code LAUNCHER --build-cache} makes the start-up cache. */
  static final String LAUNCHER = "dcr-java.sh";
  /** The training and assembly runs of the cache take about a minute on a quiet 2-core machine. */
  private static final long CACHE_BUILD_MINUTES = 10;

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
    // With their times: the start-up cache's stamp is the jars' sizes and times, so the same jars keep their cache.
    Files.copy(kernelJar, lib.resolve("dcr-kernel.jar"), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.COPY_ATTRIBUTES);
    try (Stream<Path> jars = Files.list(libDir)) {
      for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
        Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    Path launcher = dir.resolve(LAUNCHER);
    Files.writeString(launcher, launcher(java));
    launcher.toFile().setExecutable(true, false);
    writeSpec(dir, List.of("/bin/sh", "{resource_dir}/" + LAUNCHER, "{connection_file}"), Map.of());
    return dir;
  }

  /**
   * Makes the installed kernelspec's start-up cache now (the launcher's {@code --build-cache}); returns
   * what went wrong, if anything. Without a cache the kernel works as before, only its start is slower.
   */
  static Optional<String> buildCache(Path dir) throws IOException, InterruptedException {
    Path log = Files.createTempFile("dcr-java-cache", ".log");
    try {
      Process build = new ProcessBuilder("/bin/sh", dir.resolve(LAUNCHER).toString(), "--build-cache")
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!build.waitFor(CACHE_BUILD_MINUTES, TimeUnit.MINUTES)) {
        build.destroyForcibly();
        return Optional.of("the training run took more than " + CACHE_BUILD_MINUTES + " minutes");
      }
      String said = Files.readString(log).strip();
      return build.exitValue() == 0 ? Optional.empty()
          : Optional.of(said.isEmpty() ? "exit status " + build.exitValue() : said);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** The JVM options of the kernel process on this JDK. */
  private static List<String> jvmOptions() {
    List<String> options = new ArrayList<>(JVM_OPTIONS);
    if (Runtime.version().feature() >= 24) {
      // Guava and classgraph (through tablesaw) still use sun.misc.Unsafe; JDK 24+ warns on every use.
      options.add("--sun-misc-unsafe-memory-access=allow");
    }
    return options;
  }

  /** The launcher script: its stamp, where it looks for a cache, how it makes one. */
  private static String launcher(Path java) throws IOException {
    Path javaBin = java.toAbsolutePath();
    Path jdk = javaBin.toRealPath().getParent().getParent();
    String options = String.join(" ", jvmOptions()); // no spaces in them: the script splits on spaces
    // JDK 25 makes an AOT cache in one training run (JEP 514) with method profiles (JEP 515); JDK 21 to 24 a dynamic
    // CDS archive (classes parsed and verified). The JVM's own notes on the cache stay out of the server log.
    boolean aot = Runtime.version().feature() >= 25;
    String create = aot ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=";
    String use = aot ? "-Xlog:aot=off -Xlog:cds=off -XX:AOTCache=" : "-Xlog:cds=off -XX:SharedArchiveFile=";
    return """
        #!/bin/sh
        # The dcr-java kernel, as Jupyter starts it (kernel.json): %1$s {connection_file}.
        # Written by ./dcr kernel install. Uses the kernel's start-up cache (a JDK AOT cache) only when it was made by
        # this JDK for these jars: JDK 25 maps a cache made for other jars without a word and runs the old classes it
        # holds. Otherwise the kernel starts without one, and a fresh one is made in the background for the next start.
        # %1$s --build-cache makes it now.
        set -u
        spec=$(cd "$(dirname "$0")" && pwd)
        java=%2$s
        options="%3$s"
        user_cache="${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/dcr-java"
        # This JDK and these jars: sizes and modification times (GNU stat; elsewhere no stamp, so no cache).
        stamp=$(stat -L -c '%%s %%Y %%n' "$java" %4$s/lib/modules "$spec"/lib/*.jar 2>/dev/null | cksum | cut -d' ' -f1)
        [ -n "$(stat -L -c %%s "$java" 2>/dev/null)" ] || stamp=
        name="dcr-java-$stamp.aot"

        if [ "${1:-}" = --build-cache ]; then
          [ -n "$stamp" ] || { echo "no start-up cache: GNU stat is needed to tell which JDK and jars a cache is for" >&2; exit 1; }
          if [ -w "$spec/cache" ] || { [ ! -e "$spec/cache" ] && [ -w "$spec" ]; }; then dir=$spec/cache; else dir=$user_cache; fi
          mkdir -p "$dir" || exit 1
          [ -f "$dir/$name" ] && exit 0
          # One build at a time per folder; a lock older than an hour was left by a build that was killed.
          find "$dir" -maxdepth 1 -name '*.building' -mmin +60 -exec rmdir {} + 2>/dev/null
          mkdir "$dir/$name.building" 2>/dev/null || exit 0
          tmp=$dir/$name.tmp$$
          trap 'rm -f "$tmp" "$tmp.config"; rmdir "$dir/$name.building"' EXIT
          # The training run: what a kernel does from its start to its first cells (KernelTraining); the JVM writes
          # the cache when it ends.
          if ! out=$(nice "$java" %8$s"$tmp" $options -cp "$spec/lib/*" %5$s 2>&1) || [ ! -s "$tmp" ]; then
            printf 'the training run of the start-up cache failed:\n%%s\n' "$out" >&2
            exit 1
          fi
          mv -f "$tmp" "$dir/$name"
          for old in "$dir"/dcr-java-*.aot; do [ "$old" = "$dir/$name" ] || rm -f "$old"; done
          exit 0
        fi

        # DCR_KERNEL_CACHE=off: a start without the cache (the cold start the benchmark reports), and no build.
        [ "${DCR_KERNEL_CACHE:-on}" = off ] && exec "$java" $options -cp "$spec/lib/*" %6$s "$@"
        for dir in "$spec/cache" "$user_cache"; do
          if [ -n "$stamp" ] && [ -f "$dir/$name" ]; then
            exec "$java" %7$s"$dir/$name" $options -cp "$spec/lib/*" %6$s "$@"
          fi
        done
        if [ -n "$stamp" ]; then
          # In a session of its own: Jupyter ends a kernel by killing its process group, which must not end the build.
          if command -v setsid >/dev/null; then setsid -f /bin/sh "$0" --build-cache </dev/null >/dev/null 2>&1
          else nohup /bin/sh "$0" --build-cache </dev/null >/dev/null 2>&1 &
          fi
        fi
        exec "$java" $options -cp "$spec/lib/*" %6$s "$@"
        """.formatted(LAUNCHER, shellQuoted(javaBin.toString()), options, shellQuoted(jdk.toString()),
        KernelTraining.class.getName(), KernelMain.class.getName(), use, create);
  }

  private static String shellQuoted(String text) {
    return "'" + text.replace("'", "'\\''") + "'";
  }

  /** Writes a kernelspec that runs the kernel from an existing class path (tests, development). */
  public static Path write(Path dir, Path java, String classpath, Map<String, String> env) throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add(java.toAbsolutePath().toString());
    argv.addAll(jvmOptions());
    argv.addAll(List.of("-cp", classpath, KernelMain.class.getName(), "{connection_file}"));
    return writeSpec(dir, argv, env);
  }

  private static Path writeSpec(Path dir, List<String> argv, Map<String, String> env) throws IOException {
    Files.createDirectories(dir);
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
  public static void main(String[] args) throws IOException, InterruptedException {
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
    System.out.println("Making the kernel's start-up cache (a training run of the kernel; about a minute)");
    Optional<String> problem = buildCache(dir);
    if (problem.isPresent()) {
      System.out.println("No start-up cache, so the kernel starts slower (it tries again at its next start): "
          + problem.get());
    }
  }

  private static void usage(String problem) {
    System.err.println("kernel install: " + problem + "\nusage: ./dcr kernel install [--user | --prefix P]");
    System.exit(2);
  }
}
