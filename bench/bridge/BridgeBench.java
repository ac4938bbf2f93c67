// The job bridge benchmark's Java side, run as a single source file with the job bridge's class path:
//   serve-bridge DIR PORT_FILE   the job bridge (SQLite jobs database in DIR, token file, one dataset), as BridgeMain
//                                wires it, but with a TEE platform that is never reached (jobs stay SUBMITTED)
//   serve-hello PORT_FILE        the ceiling: a minimal Vert.x web server with one route answering a small JSON
//   seed BASE TOKEN N            submits N jobs as the token's scientist; prints the last job id
//   submits BASE TOKEN N ROUNDS  N concurrent submissions, ROUNDS times; prints JSON with throughput and latencies
import dev.cleanroom.bridge.Bridge;
import dev.cleanroom.bridge.backend.ImageBuild;
import dev.cleanroom.bridge.backend.LocalStorage;
import dev.cleanroom.bridge.backend.TeeBackend;
import dev.cleanroom.bridge.backend.TeePlatform;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import dev.cleanroom.bridge.service.Limits;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

public class BridgeBench {
  static final String NOTEBOOK = """
      {"cells": [{"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": null, "outputs": [],
        "source": ["var t = Dcr.dataset(\\"insurance\\").table();\\n", "Dcr.output(\\"rows.txt\\").write(t.rowCount());"]}],
       "metadata": {"kernelspec": {"name": "dcr-java", "display_name": "Java (clean room)", "language": "java"}},
       "nbformat": 4, "nbformat_minor": 5}
      """;

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "serve-bridge" -> serveBridge(Path.of(args[1]), Path.of(args[2]));
      case "serve-hello" -> serveHello(Path.of(args[1]));
      case "seed" -> System.out.println(seed(URI.create(args[1]), args[2], Integer.parseInt(args[3])));
      case "submits" -> submits(URI.create(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  /** A platform the benchmark never reaches: no job is approved, so nothing is built or run. */
  static final class Unreached implements TeePlatform {
    public ImageBuild images() {
      return (id, notebook) -> { throw new IOException("the benchmark builds no image"); };
    }

    public TeeBackend tee() {
      throw new IllegalStateException("the benchmark runs no job");
    }

    public URI issuerDiscovery() {
      return URI.create("http://127.0.0.1:1/");
    }

    public boolean simulated() {
      return true;
    }

    public dev.cleanroom.bridge.backend.PlatformIdentity identity() {
      return new dev.cleanroom.bridge.backend.PlatformIdentity("bench", "bench", "0", List.of("bench@bench.invalid"),
          List.of("bench"), Optional.empty());
    }
  }

  static void serveBridge(Path dir, Path portFile) throws Exception {
    Bridge bridge = Bridge.start(Bridge.Config.builder()
        .listen("127.0.0.1", 0)
        .database("jdbc:sqlite:" + dir.resolve("jobs.db"))
        .workDir(dir.resolve("work"))
        .storage(LocalStorage.at(dir.resolve("storage")))
        .datasets(DatasetCatalog.of(List.of(DatasetCatalog.open("insurance=" + dir.resolve("views/insurance") + ":"
            + dir.resolve("real.csv")))))
        .auth(new Bridge.Auth.Tokens(dir.resolve("tokens.txt")))
        .platform(new Unreached())
        .limits(new Limits(8L << 20, 1_000_000, Duration.ofHours(1)))
        .log(line -> { })  // no access log on the console: it would measure the terminal
        .build());
    Files.writeString(portFile, Integer.toString(bridge.port()));
    Thread.currentThread().join();
  }

  static void serveHello(Path portFile) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions());
    Router router = Router.router(vertx);
    router.get("/hello").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .end("{\"hello\":\"world\"}"));
    int port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await().actualPort();
    Files.writeString(portFile, Integer.toString(port));
    Thread.currentThread().join();
  }

  static HttpResponse<String> submit(HttpClient http, URI base, String token) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve("v1/jobs?dataset=insurance&name=bench.ipynb"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(NOTEBOOK)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static String seed(URI base, String token, int n) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String last = "";
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = submit(http, base, token);
      if (r.statusCode() != 201) {
        throw new IllegalStateException("submit answered " + r.statusCode() + ": " + r.body());
      }
      last = r.body().replaceFirst("(?s).*\"id\":\"(job-[a-z2-7]+)\".*", "$1");
    }
    return last;
  }

  /** N submissions at once (each on its own connection), ROUNDS times; latencies of every request, wall time of each round. */
  static void submits(URI base, String token, int n, int rounds) throws Exception {
    List<Double> latencies = new ArrayList<>();
    List<Double> walls = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(n);
    for (int round = 0; round < rounds + 1; round++) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Double>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        HttpClient http = HttpClient.newHttpClient();
        results.add(pool.submit(() -> {
          go.await();
          long start = System.nanoTime();
          HttpResponse<String> r = submit(http, base, token);
          if (r.statusCode() != 201) {
            throw new IllegalStateException("submit answered " + r.statusCode() + ": " + r.body());
          }
          return (System.nanoTime() - start) / 1e6;
        }));
      }
      long start = System.nanoTime();
      go.countDown();
      List<Double> these = new ArrayList<>();
      for (Future<Double> f : results) {
        these.add(f.get());
      }
      double wall = (System.nanoTime() - start) / 1e6;
      if (round > 0) { // the first round warms the JIT and the connection pools
        latencies.addAll(these);
        walls.add(wall);
      }
    }
    pool.shutdown();
    double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double[] wallSorted = walls.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double medianWall = wallSorted[wallSorted.length / 2];
    System.out.printf(Locale.ROOT, "{\"concurrent\": %d, \"rounds\": %d, \"median_wall_ms\": %.1f, \"per_second\": %.1f,"
        + " \"p50_ms\": %.1f, \"p99_ms\": %.1f, \"max_ms\": %.1f}%n", n, rounds, medianWall, n / (medianWall / 1000),
        percentile(sorted, 0.50), percentile(sorted, 0.99), sorted[sorted.length - 1]);
  }

  static double percentile(double[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }
}
