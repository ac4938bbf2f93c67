package dev.cleanroom.bridge.gcp;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.cloud.NoCredentials;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * fake-gcs-server (github.com/fsouza/fake-gcs-server) on a free loopback port, in memory, for the test class
 * that registers it with {@code @RegisterExtension}. {@code ./dcr test} installs the pinned binary and names
 * it in the system property {@code dcr.fakegcs}; without it the tests fail instead of skipping, so a green run
 * always means the storage code really talked to a Cloud Storage API.
 */
public final class FakeGcsServer implements BeforeAllCallback, AfterAllCallback {
  static final String PROPERTY = "dcr.fakegcs";
  private static final String INSTALL_HINT = "fake-gcs-server is needed for the GCS tests: run them with ./dcr test,"
      + " which installs it, or 'go install github.com/fsouza/fake-gcs-server@v1.56.1' and pass"
      + " -Ddcr.fakegcs=<path to the binary>";
  private static final Duration STARTUP = Duration.ofSeconds(30);

  private final AtomicInteger buckets = new AtomicInteger();
  private Process process;
  private Path log;
  private URI endpoint;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Path binary = binary();
    log = Files.createTempFile("fake-gcs-server", ".log");
    // The port is free when picked and taken by the server a moment later; another socket may take it first,
    // and then the server exits at once: try another port.
    for (int attempt = 1; ; attempt++) {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      }
      endpoint = URI.create("http://127.0.0.1:" + port);
      // -public-host makes path-style URLs on this address (signed URLs) reach the XML-style object routes.
      process = new ProcessBuilder(List.of(binary.toString(), "-scheme", "http", "-host", "127.0.0.1",
          "-port", Integer.toString(port), "-backend", "memory", "-public-host", "127.0.0.1",
          "-external-url", endpoint.toString(), "-log-level", "warn"))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      if (awaitHealthy()) {
        return;
      }
      if (attempt == 3) {
        fail("fake-gcs-server exited with " + process.exitValue() + " at start, three times: " + Files.readString(log));
      }
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
    if (log != null) {
      Files.deleteIfExists(log);
    }
  }

  public URI endpoint() {
    return endpoint;
  }

  /** A Cloud Storage client for this server, without credentials. */
  public Storage client() {
    return StorageOptions.http()
        .setHost(endpoint.toString())
        .setProjectId("test-project")
        .setCredentials(NoCredentials.getInstance())
        .build()
        .getService();
  }

  /** A new empty bucket, so that tests never see each other's objects. */
  public String newBucket(Storage storage) {
    String name = "bucket-" + ProcessHandle.current().pid() + "-" + buckets.incrementAndGet();
    storage.create(BucketInfo.of(name));
    return name;
  }

  private static Path binary() {
    String property = System.getProperty(PROPERTY);
    if (property == null || property.isBlank() || property.startsWith("${")) {
      fail(INSTALL_HINT + " (" + PROPERTY + " is not set)");
    }
    Path binary = Path.of(property);
    if (!Files.isExecutable(binary)) {
      fail(INSTALL_HINT + " (" + PROPERTY + " is '" + property + "', which is not an executable file)");
    }
    return binary;
  }

  /** True once the server answers; false if it exited at start (its port was taken); fails after a while. */
  private boolean awaitHealthy() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest health = HttpRequest.newBuilder(endpoint.resolve("/_internal/healthcheck")).build();
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return false;
      }
      try {
        if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return true;
        }
      } catch (ConnectException e) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    fail("fake-gcs-server did not answer on " + endpoint + " within " + STARTUP + ": " + Files.readString(log));
    return false;
  }
}
