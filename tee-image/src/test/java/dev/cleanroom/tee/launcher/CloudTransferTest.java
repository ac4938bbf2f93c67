package dev.cleanroom.tee.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.cleanroom.attestation.manifest.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transfers against a local stand-in for signed Cloud Storage URLs (a third-party boundary) that answers each request
 * as the test scripts it; waits between tries are recorded, not slept.
 */
class CloudTransferTest {
  private static final String SIGNATURE = "X-Goog-Signature=0123456789abcdef";

  @TempDir Path dir;
  private HttpServer server;
  // Filled and read on the server's thread and the test's.
  private final Deque<Answer> script = new ConcurrentLinkedDeque<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<Duration> pauses = new ArrayList<>();

  /** One scripted answer: a status, a body, and how much of the body is sent before the connection drops. */
  private record Answer(int status, String body, int sent) {
    static Answer of(int status, String body) {
      return new Answer(status, body, body.length());
    }
  }

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
      Answer answer = script.isEmpty() ? Answer.of(500, "unscripted") : script.removeFirst();
      byte[] body = answer.body().getBytes(UTF_8);
      exchange.sendResponseHeaders(answer.status(), body.length);
      exchange.getResponseBody().write(body, 0, answer.sent());
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path + "?" + SIGNATURE);
  }

  private CloudTransfer transfer() {
    return new CloudTransfer(new CloudHttp(HttpClient.newHttpClient(), pauses::add), CloudEndpoints.google(), null);
  }

  private JobPlan planWith(String input, URI url) {
    return new JobPlan(new TreeMap<>(Map.of(input, new JobPlan.Source(url, Sha256.of(new byte[0]), Optional.empty(),
        Optional.empty()))), url("/result.zip"));
  }

  @Test
  void download_afterTransientFailures_isTriedAgainWithGrowingWaits() throws IOException {
    script.addAll(List.of(Answer.of(503, "busy"), Answer.of(429, "slow down"), Answer.of(200, "age,charges\n19,16884\n")));
    Path inputs = dir.resolve("input");

    transfer().download(planWith("insurance/real.csv", url("/real.csv")), inputs);

    assertEquals("age,charges\n19,16884\n", Files.readString(inputs.resolve("insurance/real.csv")));
    assertEquals(3, requests.size());
    assertEquals(2, pauses.size());
    assertTrue(between(pauses.get(0), 1_000, 1_500) && between(pauses.get(1), 2_000, 3_000), pauses.toString());
  }

  @Test
  void download_cutOffMidway_isFetchedAgainFromTheStart() throws IOException {
    String rows = "age,charges\n" + "19,16884\n".repeat(1_000);
    script.addAll(List.of(new Answer(200, rows, 100), Answer.of(200, rows)));
    Path inputs = dir.resolve("input");

    transfer().download(planWith("insurance/real.csv", url("/real.csv")), inputs);

    assertEquals(rows, Files.readString(inputs.resolve("insurance/real.csv")));
    assertEquals(2, requests.size());
  }

  @Test
  void download_ofAnObjectThatIsNotThere_failsAtOnce_withoutTheUrl() {
    script.add(Answer.of(404, "No such object"));

    IOException e = assertThrows(IOException.class,
        () -> transfer().download(planWith("insurance/real.csv", url("/real.csv")), dir.resolve("input")));

    assertEquals("tried to fetch input 'insurance/real.csv' but got HTTP 404", e.getMessage());
    assertEquals(1, requests.size());
    assertEquals(List.of(), pauses);
  }

  @Test
  void download_thatCannotBeWrittenHere_failsAtOnce_withTheReason() throws IOException {
    script.add(Answer.of(200, "age,charges\n19,16884\n"));
    Path inputs = dir.resolve("input");
    Files.createDirectories(inputs.resolve("insurance/real.csv")); // a folder where the file must go

    IOException e = assertThrows(IOException.class,
        () -> transfer().download(planWith("insurance/real.csv", url("/real.csv")), inputs));

    assertTrue(e.getMessage().startsWith("tried to write input 'insurance/real.csv' but failed because: "), e.getMessage());
    assertTrue(e.getMessage().contains("real.csv"), "the local path is no secret: " + e.getMessage());
    assertEquals(1, requests.size(), "not the network's failure: not tried again");
    assertEquals(List.of(), pauses);
  }

  @Test
  void upload_thatKeepsFailing_givesUpAfterFiveTries_sayingSo() throws IOException {
    Path job = Files.createDirectories(dir.resolve("job"));
    Files.writeString(job.resolve("manifest.json"), "{}");
    for (int i = 0; i < CloudHttp.ATTEMPTS; i++) {
      script.add(Answer.of(502, "bad gateway"));
    }

    IOException e = assertThrows(IOException.class, () -> transfer().upload(job, url("/result.zip"), dir.resolve("scratch")));

    assertEquals("tried to upload the job folder but got HTTP 502 (tried 5 times)", e.getMessage());
    assertEquals(Collections.nCopies(5, "PUT /result.zip"), requests);
    assertEquals(4, pauses.size());
    assertTrue(between(pauses.get(3), 8_000, 12_000), pauses.toString());
  }

  @Test
  void upload_afterAServerError_succeedsOnTheNextTry() throws IOException {
    Path job = Files.createDirectories(dir.resolve("job"));
    Files.writeString(job.resolve("manifest.json"), "{}");
    script.addAll(List.of(Answer.of(500, "oops"), Answer.of(200, "")));

    long size = transfer().upload(job, url("/result.zip"), dir.resolve("scratch"));

    assertTrue(size > 0);
    assertEquals(List.of("PUT /result.zip", "PUT /result.zip"), requests);
  }

  private static boolean between(Duration wait, long fromMillis, long toMillis) {
    return wait.toMillis() >= fromMillis && wait.toMillis() <= toMillis;
  }

  @Test
  void zip_holdsTheJobFoldersFilesByRelativePath_theTokenLast() throws IOException {
    Path job = Files.createDirectories(dir.resolve("job"));
    Files.writeString(job.resolve("token.jwt"), "a.b.c");
    Files.writeString(job.resolve("manifest.json"), "{}");
    Files.writeString(Files.createDirectories(job.resolve("outputs")).resolve("z.txt"), "z");
    Files.writeString(job.resolve("executed.ipynb"), "{}");
    Path archive = dir.resolve("job.zip");

    CloudTransfer.zip(job, archive);

    List<String> names = new ArrayList<>();
    try (InputStream in = Files.newInputStream(archive); ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
        names.add(entry.getName());
      }
    }
    assertEquals(List.of("executed.ipynb", "manifest.json", "outputs/z.txt", "token.jwt"), names);
  }

  @Test
  void mediaUrl_isTheJsonApisDownloadOfTheObject_withItsNameEscaped() {
    assertEquals(URI.create(CloudEndpoints.STORAGE + "/storage/v1/b/insurer-data/o/insurance%2Freal%20rows.csv?alt=media"),
        transfer().mediaUrl(URI.create("gs://insurer-data/insurance/real%20rows.csv")));
  }
}
