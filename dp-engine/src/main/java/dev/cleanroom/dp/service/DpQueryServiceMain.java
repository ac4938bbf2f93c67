package dev.cleanroom.dp.service;

import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts the DP query service:
 *
 * <pre>
 * DpQueryServiceMain --ledger jdbc:sqlite:ledger.db (--tokens tokens.txt | --hub-api http://127.0.0.1:8000) \
 *     --dataset insurance=views/insurance:datasets/insurance/real.csv [--dataset ...] \
 *     [--port 8470] [--host 127.0.0.1]
 * </pre>
 *
 * With {@code --hub-api} the service trusts JupyterHub's API tokens ({@link HubAuthenticator}); with both,
 * the token file is asked first.
 *
 * Prints one line {@code DP query service ready at http://HOST:PORT/ (datasets: ...)} once it accepts
 * requests, then one access-log line per request. Binds to loopback unless told otherwise: it holds
 * the real data, so exposing it is a decision, not a default.
 */
public final class DpQueryServiceMain {
  public static final int DEFAULT_PORT = 8470;
  public static final String READY = "DP query service ready at ";
  /** On SIGTERM, requests under way get this long to finish. */
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

  private static final String USAGE = "usage: DpQueryServiceMain --ledger JDBC_URL (--tokens FILE | --hub-api HUB_URL)"
      + " --dataset NAME=VIEWS_DIR:REAL_CSV [--dataset ...] [--port PORT (default " + DEFAULT_PORT
      + ", 0 = any free)] [--host HOST (default 127.0.0.1)]";

  private DpQueryServiceMain() {}

  private record Options(String host, int port, String ledger, Path tokens, String hubApi, List<String> datasets) {}

  public static void main(String[] args) {
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("dp-query-service: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    try {
      run(options, System.out);
    } catch (Exception e) {
      System.err.println("dp-query-service: " + e.getMessage());
      System.exit(1);
    }
  }

  private static Options parse(String[] args) {
    String host = "127.0.0.1";
    int port = DEFAULT_PORT;
    String ledger = null;
    Path tokens = null;
    String hubApi = null;
    List<String> datasets = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      String value = args[++i];
      switch (flag) {
        case "--host" -> host = value;
        case "--port" -> {
          try {
            port = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port takes a number, got '" + value + "'");
          }
        }
        case "--ledger" -> ledger = value;
        case "--tokens" -> tokens = Path.of(value);
        case "--dataset" -> datasets.add(value);
        case "--hub-api" -> hubApi = value;
        default -> throw new IllegalArgumentException("unknown option '" + flag + "'");
      }
    }
    if (ledger == null || (tokens == null && hubApi == null) || datasets.isEmpty()) {
      throw new IllegalArgumentException("--ledger, --tokens or --hub-api, and at least one --dataset are required");
    }
    return new Options(host, port, ledger, tokens, hubApi, datasets);
  }

  private static ProvisionedDataset open(String spec) throws IOException {
    int equals = spec.indexOf('=');
    int colon = spec.indexOf(':', equals + 1);
    if (equals <= 0 || colon < 0) {
      throw new IllegalArgumentException("--dataset takes NAME=VIEWS_DIR:REAL_CSV, got '" + spec + "'");
    }
    String name = spec.substring(0, equals);
    ProvisionedDataset dataset =
        ProvisionedDataset.open(Path.of(spec.substring(equals + 1, colon)), Path.of(spec.substring(colon + 1)));
    if (!dataset.name().equals(name)) {
      throw new IllegalArgumentException("--dataset " + name + "=...: that views folder was provisioned for dataset '"
          + dataset.name() + "'; name it " + dataset.name());
    }
    return dataset;
  }

  private static void run(Options options, PrintStream out) throws Exception {
    TokenFile tokens = options.tokens() == null ? null : TokenFile.read(options.tokens());
    List<ProvisionedDataset> datasets = new ArrayList<>();
    for (String spec : options.datasets()) {
      datasets.add(open(spec));
    }
    PrivacyLedger ledger = PrivacyLedger.open(options.ledger());
    Vertx vertx = Vertx.vertx();
    Authenticator authenticator = tokens;
    if (options.hubApi() != null) {
      HubAuthenticator hub = new HubAuthenticator(vertx, java.net.URI.create(options.hubApi()));
      authenticator = tokens == null ? hub : token -> tokens.user(token)
          .compose(user -> user.isPresent() ? io.vertx.core.Future.succeededFuture(user) : hub.user(token));
    }
    DpQueryService service = DpQueryService.create(vertx, ledger, datasets);
    DpQueryServer server;
    try {
      server = DpQueryServer.start(vertx, service, authenticator, options.host(), options.port(), out::println)
          .await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      ledger.close();
      throw new IllegalStateException("could not listen on " + options.host() + ":" + options.port() + ": "
          + e.getMessage(), e);
    }
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
      try {
        // One at a time from this thread: closing Vert.x inside a Vert.x callback never completes.
        server.close(SHUTDOWN_GRACE).await(SHUTDOWN_GRACE.toSeconds() + 5, TimeUnit.SECONDS);
        service.close().await(5, TimeUnit.SECONDS);
        vertx.close().await(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("dp-query-service: shutdown: " + e.getMessage());
      } finally {
        ledger.close();
      }
    }));
    out.println(READY + "http://" + options.host() + ":" + server.port() + "/ (datasets: "
        + String.join(", ", service.datasetNames()) + ")");
  }
}
