package dev.cleanroom.tee.command;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One run of an external program (jlink, apt-get, dpkg-deb, umoci, runc): its output is collected (the
 * last 64 KiB), it is killed when it overruns its time, and a failure says which program failed, how, and
 * what it printed last.
 */
public final class Command {
  private static final int KEEP_OUTPUT_BYTES = 64 * 1024;
  /** Where system tools live; a non-login root shell may lack the sbin folders in PATH. */
  private static final List<String> EXTRA_PATH = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

  private final List<String> argv;
  private Path directory;
  private Duration timeout = Duration.ofMinutes(5);
  private final Map<String, String> environment = new java.util.TreeMap<>();
  private java.util.function.Consumer<String> lines = line -> { };
  private boolean inherit = true;

  private Command(List<String> argv) {
    this.argv = List.copyOf(argv);
  }

  public static Command of(String... argv) {
    return new Command(List.of(argv));
  }

  public static Command of(List<String> argv) {
    return new Command(argv);
  }

  public Command in(Path value) {
    this.directory = value;
    return this;
  }

  public Command timeout(Duration value) {
    this.timeout = value;
    return this;
  }

  public Command env(String name, String value) {
    environment.put(name, value);
    return this;
  }

  /** Starts the program with only the variables given by {@link #env}, not this process's. */
  public Command withoutInheritedEnvironment() {
    this.inherit = false;
    return this;
  }

  /** Also hands each line of output to {@code consumer} as it comes (progress, a launcher's log). */
  public Command onLine(java.util.function.Consumer<String> consumer) {
    this.lines = consumer;
    return this;
  }

  /** What a finished program printed (stdout and stderr together) and its exit status. */
  public record Result(int status, String output) {
    public boolean succeeded() {
      return status == 0;
    }

    /** The last {@code lines} lines of the output, for messages. */
    public String tail(int lines) {
      String[] all = output.strip().split("\n");
      return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }
  }

  /** Runs the program and returns its result whatever its exit status. */
  public Result run() throws IOException {
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    if (directory != null) {
      builder.directory(directory.toFile());
    }
    if (!inherit) {
      builder.environment().clear();
    }
    builder.environment().putAll(environment);
    if (inherit || !environment.containsKey("PATH")) {
      builder.environment().put("PATH", searchPath(builder.environment().get("PATH")));
    }
    Process process = builder.start();
    process.getOutputStream().close();
    Thread reader;
    StringBuilder output = new StringBuilder();
    try (InputStream in = process.getInputStream()) {
      reader = Thread.ofVirtual().start(() -> collect(in, output, lines));
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IOException(name() + " did not finish within " + timeout.toSeconds() + " s and was killed");
      }
      reader.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(name() + " was interrupted", e);
    }
    synchronized (output) {
      return new Result(process.exitValue(), output.toString());
    }
  }

  /** Runs the program and returns its output; a non-zero exit status is an {@link IOException}. */
  public String check() throws IOException {
    Result result = run();
    if (!result.succeeded()) {
      throw new IOException(name() + " exited with status " + result.status() + ": " + result.tail(8));
    }
    return result.output();
  }

  private String name() {
    return Path.of(argv.get(0)).getFileName().toString();
  }

  private static void collect(InputStream in, StringBuilder output, java.util.function.Consumer<String> lines) {
    byte[] buffer = new byte[8192];
    java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    try {
      for (int n; (n = in.read(buffer)) > 0; ) {
        synchronized (output) {
          output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
          if (output.length() > KEEP_OUTPUT_BYTES) {
            output.delete(0, output.length() - KEEP_OUTPUT_BYTES);
          }
        }
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            lines.accept(line.toString(StandardCharsets.UTF_8));
            line.reset();
          } else if (line.size() < KEEP_OUTPUT_BYTES) {
            line.write(buffer[i]);
          }
        }
      }
      if (line.size() > 0) {
        lines.accept(line.toString(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // the program went away; what it printed so far is kept
    }
  }

  private static String searchPath(String path) {
    List<String> parts = new ArrayList<>();
    if (path != null && !path.isBlank()) {
      parts.addAll(List.of(path.split(File.pathSeparator)));
    }
    EXTRA_PATH.stream().filter(p -> !parts.contains(p)).forEach(parts::add);
    return String.join(File.pathSeparator, parts);
  }

  /** The program's file if it is on the search path (PATH and the system folders). */
  public static Optional<Path> find(String program) {
    for (String dir : searchPath(System.getenv("PATH")).split(File.pathSeparator)) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Whether this process runs as root (runc, mounts and apt-get need it). */
  public static boolean isRoot() {
    try {
      return "0".equals(Files.readString(Path.of("/proc/self/status")).lines()
          .filter(l -> l.startsWith("Uid:")).findFirst().map(l -> l.split("\\s+")[1]).orElse(""));
    } catch (IOException e) {
      return false;
    }
  }
}
