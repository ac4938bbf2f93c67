package dev.cleanroom.dp.service;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.client.HttpDpClient;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.provision.MockData;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import dev.cleanroom.dp.testing.InsuranceData;
import io.vertx.core.Vertx;
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
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A DP query service on a free loopback port, in this JVM, with provisioned insurance datasets, a token
 * file and an SQLite ledger in a temporary folder. Users: alice and bob (scientists), pat (provider of
 * {@code insurance}), quinn (provider of {@code private-insurance}, which only bob may use).
 */
public final class ServiceFixture implements AutoCloseable {
  public static final Map<String, String> TOKENS = Map.of(
      "alice", "alice-token-4f1c9a2b7e",
      "bob", "bob-token-8d3e6f0a1c5b",
      "pat", "pat-token-2a7b9c4d6e8f",
      "quinn", "quinn-token-5e1d3c7b9a0f",
      "audrey", "audrey-token-9b2c4e6a8d1f");
  /** The roles of the test users: alice and bob are scientists, pat and quinn providers, audrey an auditor. */
  public static final Map<String, String> ROLES = Map.of(
      "alice", "scientist", "bob", "scientist", "pat", "provider", "quinn", "provider", "audrey", "auditor");

  private final Vertx vertx;
  private final PrivacyLedger ledger;
  private final DpQueryService service;
  private final DpQueryServer server;
  private final Queue<String> accessLog;
  private final HttpClient http = HttpClient.newHttpClient();

  private ServiceFixture(Vertx vertx, PrivacyLedger ledger, DpQueryService service, DpQueryServer server,
      Queue<String> accessLog) {
    this.vertx = vertx;
    this.ledger = ledger;
    this.service = service;
    this.server = server;
    this.accessLog = accessLog;
  }

  /** The demo datasets: {@code insurance} (everyone; pat's) and {@code private-insurance} (bob only; quinn's). */
  public static ServiceFixture start(Path dir) throws Exception {
    return start(dir, InsuranceData.policy(), privateInsurance());
  }

  public static ServiceFixture start(Path dir, DatasetPolicy... policies) throws Exception {
    List<ProvisionedDataset> datasets = new ArrayList<>();
    for (DatasetPolicy policy : policies) {
      datasets.add(ProvisionedDataset.open(provision(dir, policy), data(dir, policy)));
    }
    PrivacyLedger ledger = PrivacyLedger.open(ledgerUrl(dir));
    Vertx vertx = Vertx.vertx();
    DpQueryService service = DpQueryService.create(vertx, ledger, datasets);
    Queue<String> accessLog = new ConcurrentLinkedQueue<>();
    DpQueryServer server = DpQueryServer.start(vertx, service, TokenFile.read(writeTokens(dir)), "127.0.0.1", 0,
        accessLog::add).await(30, TimeUnit.SECONDS);
    return new ServiceFixture(vertx, ledger, service, server, accessLog);
  }

  /**
   * The real data of a dataset: the insurance CSV for {@code insurance}, for any other name a copy missing one row
   * the name picks, since the service serves each data only once (one policy governs one budget).
   */
  public static Path data(Path dir, DatasetPolicy policy) throws IOException {
    if (policy.dataset().equals("insurance")) {
      return InsuranceData.CSV;
    }
    List<String> lines = new ArrayList<>(Files.readAllLines(InsuranceData.CSV));
    lines.remove(1 + Math.floorMod(policy.dataset().hashCode(), lines.size() - 1));
    Path copy = Files.createDirectories(dir.resolve("data")).resolve(policy.dataset() + ".csv");
    return Files.write(copy, lines);
  }

  public static String ledgerUrl(Path dir) {
    return "jdbc:sqlite:" + dir.resolve("ledger.db");
  }

  public static DatasetPolicy privateInsurance() {
    return policy("private-insurance", "quinn", List.of("bob"), new PrivacyCost(2, 1e-6), new PrivacyCost(1, 1e-6));
  }

  /** The demo insurance policy under another name, provider, audience, budget and per-query cap. */
  public static DatasetPolicy policy(
      String name, String owner, List<String> scientists, PrivacyCost budget, PrivacyCost maxPerQuery) {
    DatasetPolicy p = InsuranceData.policy();
    return new DatasetPolicy(name, owner, p.description(), scientists, p.views(), p.columns(), budget, maxPerQuery,
        DatasetPolicy.defaultTotal(budget, p.views(), p.syntheticCost()), p.syntheticCost(), p.invalidValues(),
        p.outputsNeedRelease(), p.refusesHiddenCode(), java.util.Optional.empty(), p.minEpsilonPerQuery(),
        p.outputRules(), p.allowedLibraryGroups(), p.source());
  }

  /** A views folder as {@code dcr provision} leaves it: policy.yaml, mock.csv, and a stand-in synthetic.csv. */
  public static Path provision(Path dir, DatasetPolicy policy) throws IOException {
    Path views = Files.createDirectories(dir.resolve("views").resolve(policy.dataset()));
    Files.writeString(views.resolve(ProvisionedDataset.POLICY_FILE), PolicyFile.toYaml(policy));
    MockData.generate(policy, 50).write(views.resolve("mock.csv"));
    MockData.generate(policy, 7).write(views.resolve("synthetic.csv"));
    return views;
  }

  /** The token file format: {@code <token> <user> <roles>} per line, comments allowed. */
  public static Path writeTokens(Path dir) throws IOException {
    StringBuilder text = new StringBuilder("# test tokens\n\n");
    TOKENS.forEach((user, token) -> text.append(token).append(' ').append(user).append(' ').append(ROLES.get(user))
        .append('\n'));
    return Files.writeString(dir.resolve("tokens.txt"), text);
  }

  public URI base() {
    return URI.create("http://127.0.0.1:" + server.port() + "/");
  }

  public HttpDpClient client(String user) {
    return HttpDpClient.create(base(), TOKENS.get(user));
  }

  public PrivacyLedger ledger() {
    return ledger;
  }

  public List<String> accessLog() {
    return List.copyOf(accessLog);
  }

  /** A raw request, for what HttpDpClient never sends: {@code token} may be null (no Authorization header). */
  public HttpResponse<String> send(String method, String path, String token, String contentType,
      HttpRequest.BodyPublisher body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base().resolve(path))
        .method(method, body)
        .header("Content-Type", contentType);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> post(String user, String path, String json) throws IOException, InterruptedException {
    return send("POST", path, TOKENS.get(user), "application/json", HttpRequest.BodyPublishers.ofString(json));
  }

  public HttpResponse<String> get(String user, String path) throws IOException, InterruptedException {
    return send("GET", path, user == null ? null : TOKENS.get(user), "application/json",
        HttpRequest.BodyPublishers.noBody());
  }

  @Override
  public void close() throws TimeoutException {
    try {
      // One at a time from this thread: closing Vert.x inside a Vert.x callback never completes.
      server.close(Duration.ZERO).await(10, TimeUnit.SECONDS);
      service.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    } finally {
      ledger.close();
      http.close();
    }
  }
}
