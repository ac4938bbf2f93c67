package dev.cleanroom.tee;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cleanroom.tee.command.Command;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Debian's docker-registry, plain HTTP on a free port of loopback (or of another address of this machine), storing
 * into a test folder; the test is skipped where it is not installed ({@code ./dcr test} installs it as root). In
 * tee-image's test-jar, for the notebook image's and the deployment images' push tests.
 */
public final class TestRegistry implements AutoCloseable {
  private final Process process;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();

  private final String host;

  private TestRegistry(Process process, String host, int port) {
    this.process = process;
    this.host = host;
    this.port = port;
  }

  public static TestRegistry start(Path dir) throws Exception {
    return start(dir, "127.0.0.1");
  }

  public static TestRegistry start(Path dir, String host) throws Exception {
    assumeTrue(Command.find("docker-registry").isPresent(), "Debian's docker-registry is not installed (./dcr test installs it as root)");
    // The port is free when picked and taken by the registry a moment later; another socket may take it
    // first, and then the registry exits at once: try another port.
    for (int attempt = 1; ; attempt++) {
      int port;
      try (ServerSocket free = new ServerSocket(0)) {
        port = free.getLocalPort();
      }
      Path config = Files.writeString(dir.resolve("registry.yml"), """
          version: 0.1
          storage:
            filesystem:
              rootdirectory: %s
          http:
            addr: %s:%d
          """.formatted(dir.resolve("registry"), host, port));
      Process process = new ProcessBuilder(Command.find("docker-registry").get().toString(), "serve", config.toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
      TestRegistry registry = new TestRegistry(process, host, port);
      if (registry.waitUntilUp()) {
        return registry;
      }
      if (attempt == 3) {
        throw new AssertionError("the registry exited at start three times: "
            + Files.readString(dir.resolve("registry.log")));
      }
    }
  }

  /** {@code HOST:PORT}, as {@code --push} takes it. */
  public String address() {
    return host + ":" + port;
  }

  /** The manifest the registry serves for {@code repository:tag}. */
  public HttpResponse<byte[]> manifest(String repository, String tag) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://" + address() + "/v2/" + repository + "/manifests/" + tag))
        .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** True once the registry answers; false if it exited first (its port was taken); fails after 10 s. */
  private boolean waitUntilUp() throws Exception {
    URI base = URI.create("http://" + address() + "/v2/");
    for (int i = 0; i < 100; i++) {
      if (!process.isAlive()) {
        return false;
      }
      try {
        if (http.send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return true;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    close();
    throw new AssertionError("the registry did not start on " + base);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
