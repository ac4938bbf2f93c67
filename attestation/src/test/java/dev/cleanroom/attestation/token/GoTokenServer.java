package dev.cleanroom.attestation.token;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The token server of {@code src/test/go/teeserver}: Go's own net/http answering as Google's launcher does,
 * so that the launcher's client meets the framing Go really sends (chunked bodies, no Content-Length,
 * HTTP/1.0 answers) rather than the framing our simulator chose. Built once per source change with the Go
 * toolchain of this machine, offline and from the standard library only, into {@code target/go-teeserver}.
 */
final class GoTokenServer implements AutoCloseable {
  private static final Path SOURCE = Path.of("src/test/go/teeserver/main.go");
  private static final Path BINARY = Path.of("target/go-teeserver/teeserver");

  private final Process process;
  final Path socket;
  final Path tokenFile;

  private GoTokenServer(Process process, Path socket, Path tokenFile) {
    this.process = process;
    this.socket = socket;
    this.tokenFile = tokenFile;
  }

  /** Starts the server on {@code dir/teeserver.sock}; skips the calling test if this machine has no Go. */
  static GoTokenServer start(Path dir) throws IOException, InterruptedException {
    Path binary = build();
    Path socket = dir.resolve("teeserver.sock");
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, "");
    Process process = new ProcessBuilder(binary.toString(), socket.toString(), tokenFile.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (!"listening".equals(line)) {
      process.destroyForcibly();
      throw new IOException("the Go token server did not start (it printed " + line + ")");
    }
    return new GoTokenServer(process, socket, tokenFile);
  }

  void serve(String token) throws IOException {
    Files.writeString(tokenFile, token);
  }

  private static synchronized Path build() throws IOException, InterruptedException {
    if (Files.isExecutable(BINARY) && Files.getLastModifiedTime(BINARY).compareTo(Files.getLastModifiedTime(SOURCE)) > 0) {
      return BINARY;
    }
    Optional<Path> go = goTool();
    assumeTrue(go.isPresent(), "Go is not installed (no go on PATH or in /usr/local/go/bin): skipping the tests"
        + " against Go's net/http token server; install Go to run them");
    Files.createDirectories(BINARY.getParent());
    ProcessBuilder build = new ProcessBuilder(go.get().toString(), "build", "-o", BINARY.toString(), SOURCE.toString())
        .redirectErrorStream(true);
    // Offline, with this machine's toolchain: the server uses the standard library only.
    build.environment().put("GOTOOLCHAIN", "local");
    build.environment().put("GOPROXY", "off");
    build.environment().put("GOFLAGS", "-buildvcs=false");
    Process p = build.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("go build of " + SOURCE + " failed: " + output);
    }
    return BINARY;
  }

  private static Optional<Path> goTool() {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.concat(Stream.of(path.split(File.pathSeparator)).filter(s -> !s.isEmpty()).map(Path::of),
            Stream.of(Path.of("/usr/local/go/bin")))
        .map(dir -> dir.resolve("go"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
