package dev.cleanroom.bridge.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.bridge.Bridge;
import dev.cleanroom.bridge.backend.LocalStorage;
import dev.cleanroom.bridge.datasets.CatalogDataset;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import dev.cleanroom.bridge.job.Job;
import dev.cleanroom.bridge.job.JobState;
import dev.cleanroom.bridge.reconcile.Reconciler;
import dev.cleanroom.bridge.service.Limits;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.OutputRules;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.provision.InputCommitment;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import dev.cleanroom.dp.provision.Provisioner;
import dev.cleanroom.service.sql.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A job bridge on a free loopback port in this JVM, with a {@link FakePlatform}, local storage, a token file and
 * provisioned datasets in a temporary folder, on the database given.
 *
 * <p>Users: alice and bob (scientists), pat (provider of {@code insurance} and {@code open-data}), quinn (provider
 * of {@code claims}, open to alice and bob, and {@code private}, open to bob only), audrey (auditor), nobody (no
 * role), and pat's {@code survey}, open to alice, whose policy checks outputs ({@link #SURVEY_RULES}), and pat's {@code cohort},
 * whose outputs two people release ({@link #COHORT_RULES}); rosa is both scientist and provider. {@code open-data}'s
 * outputs need no release; {@code claims}'s policy refuses notebooks with hidden code, and
 * libraries of a notebook's own ({@code %maven}) but from {@code org.apache.commons}. Notebooks' libraries are looked up
 * in the Maven repository folder {@code maven/} (empty unless a test publishes there).
 */
public final class BridgeFixture implements AutoCloseable {
  public static final Map<String, String> TOKENS = Map.of(
      "alice", "alice-token-4f1c9a2b7e",
      "bob", "bob-token-8d3e6f0a1c5b",
      "pat", "pat-token-2a7b9c4d6e8f",
      "quinn", "quinn-token-5e1d3c7b9a0f",
      "audrey", "audrey-token-7c1e9b3d5f",
      "rosa", "rosa-token-3b8d0f2a6c4e",
      "nobody", "nobody-token-6a2c4e8b0d");
  private static final Map<String, String> ROLES = Map.of(
      "alice", "scientist", "bob", "scientist", "pat", "provider", "quinn", "provider", "audrey", "auditor",
      "rosa", "scientist,provider", "nobody", "-");
  public static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final String basePath;
  private final String databaseUrl;
  private final LocalStorage storage;
  private final FakePlatform platform;
  private final Bridge bridge;
  private final Queue<String> log;
  private final HttpClient http = HttpClient.newHttpClient();

  private BridgeFixture(Path dir, String basePath, String databaseUrl, LocalStorage storage, FakePlatform platform,
      Bridge bridge, Queue<String> log) {
    this.dir = dir;
    this.basePath = basePath;
    this.databaseUrl = databaseUrl;
    this.storage = storage;
    this.platform = platform;
    this.bridge = bridge;
    this.log = log;
  }

  public static BridgeFixture start(Path dir, TestDatabase database) throws IOException {
    return start(dir, database.newUrl(dir), new Limits(1 << 20, 3, Duration.ofMinutes(5)));
  }

  public static BridgeFixture start(Path dir, String databaseUrl, Limits limits) throws IOException {
    return start(dir, databaseUrl, limits, new Bridge.Auth.Tokens(writeTokens(dir)), "");
  }

  /** A bridge as {@link #start(Path, TestDatabase)} makes, whose tokens {@code auth} checks, under {@code basePath}. */
  public static BridgeFixture start(Path dir, TestDatabase database, Bridge.Auth auth, String basePath) throws IOException {
    return start(dir, database.newUrl(dir), new Limits(1 << 20, 3, Duration.ofMinutes(5)), auth, basePath);
  }

  private static BridgeFixture start(Path dir, String databaseUrl, Limits limits, Bridge.Auth auth, String basePath)
      throws IOException {
    LocalStorage storage = LocalStorage.at(dir.resolve("storage"));
    FakePlatform platform = FakePlatform.start(dir.resolve("tee"), storage);
    Queue<String> log = new ConcurrentLinkedQueue<>();
    Bridge bridge = Bridge.start(Bridge.Config.builder()
        .listen("127.0.0.1", 0)
        .basePath(basePath)
        .database(databaseUrl)
        .workDir(dir.resolve("work"))
        .storage(storage)
        .datasets(datasets(dir))
        .auth(auth)
        .platform(platform)
        .limits(limits)
        .reconciler(new Reconciler.Settings(Duration.ofMillis(50), 3, Duration.ofMillis(50), 2, 4))
        .log(log::add)
        .mavenRepository(dir.resolve("maven").toUri())
        .build());
    return new BridgeFixture(dir, basePath, databaseUrl, storage, platform, bridge, log);
  }

  public static DatasetCatalog datasets(Path dir) throws IOException {
    List<CatalogDataset> datasets = new ArrayList<>();
    for (String spec : datasetSpecs(dir)) {
      datasets.add(DatasetCatalog.open(spec));
    }
    return DatasetCatalog.of(datasets);
  }

  /** Provisions the test datasets under {@code dir} and returns them as {@code --dataset NAME=VIEWS:DATA} values. */
  public static List<String> datasetSpecs(Path dir) throws IOException {
    return List.of(
        provision(dir, "insurance", "pat", List.of(), true, false),
        provision(dir, "open-data", "pat", List.of(), false, false),
        provision(dir, "claims", "quinn", List.of("alice", "bob"), true, true),
        provision(dir, "private", "quinn", List.of("bob"), true, false),
        provision(dir, "survey", "pat", List.of("alice"), true, false, SURVEY_RULES),
        provision(dir, "cohort", "pat", List.of(), true, false, COHORT_RULES));
  }

  /** {@code cohort}'s outputs leave only when two of pat, quinn and rosa released them. */
  public static final OutputRules COHORT_RULES = new OutputRules(2, List.of("quinn", "rosa"), OptionalInt.empty(),
      OutputRules.SmallCounts.FLAG, 1, OptionalInt.empty(), List.of(), Set.of());

  /**
   * {@code survey}'s output rules: small counts (below 10) suppressed, tables up to 100 rows, every file type but binary
   * ones.
   */
  public static final OutputRules SURVEY_RULES = new OutputRules(1, List.of(), OptionalInt.of(10),
      OutputRules.SmallCounts.SUPPRESS, 1, OptionalInt.of(100), List.of(), EnumSet.allOf(OutputRules.FileType.class));

  private static String provision(Path dir, String name, String owner, List<String> scientists, boolean release,
      boolean strict) throws IOException {
    return provision(dir, name, owner, scientists, release, strict, OutputRules.NONE);
  }

  /** {@code strict}: the policy refuses hidden code, and libraries but from {@code org.apache.commons}. */
  private static String provision(Path dir, String name, String owner, List<String> scientists, boolean release,
      boolean strict, OutputRules outputRules) throws IOException {
    DatasetPolicy policy = DatasetPolicy.builder(name).owner(owner).description("The " + name + " dataset")
        .scientists(scientists).outputsNeedRelease(release).refusesHiddenCode(strict).outputRules(outputRules)
        .allowedLibraryGroups(strict ? List.of("org.apache.commons") : null)
        .column(new ColumnPolicy.Numeric("age", 18, 65, true))
        .column(new ColumnPolicy.Categorical("smoker", List.of("yes", "no")))
        .column(new ColumnPolicy.Numeric("charges", 0, 65000, false))
        .build();
    Path views = Files.createDirectories(dir.resolve("views").resolve(name));
    Files.writeString(views.resolve(ProvisionedDataset.POLICY_FILE), PolicyFile.toYaml(policy));
    Path data = Files.writeString(Files.createDirectories(dir.resolve("provider").resolve(name)).resolve("real.csv"),
        "age,smoker,charges\n19,yes,16884.92\n33,no,4449.46\n");
    // What dcr provision records beside the views: the bridge takes the data's commitment from here, never from the data.
    Files.writeString(views.resolve(Provisioner.RECORD_FILE), """
        {"dataset": "%s", "tool": "test", "provisionedAt": "2026-03-01T12:00:00Z", "policySha256": "%s",
         "dataCommitment": "%s", "views": ["mock"], "syntheticSpent": {"epsilon": 0, "delta": 0},
         "totalSyntheticSpent": {"epsilon": 0, "delta": 0}, "runs": 1}
        """.formatted(name, "0".repeat(64), InputCommitment.of(InputCommitment.loadOrCreateKey(views), data)));
    return name + "=" + views + ":" + data;
  }

  public static Path writeTokens(Path dir) throws IOException {
    StringBuilder text = new StringBuilder("# test tokens: <token> <user> <roles>\n");
    TOKENS.forEach((user, token) -> text.append(token).append(' ').append(user).append(' ').append(ROLES.get(user)).append('\n'));
    return Files.writeString(dir.resolve("tokens.txt"), text);
  }

  public URI base() {
    return URI.create("http://127.0.0.1:" + bridge.port() + basePath + "/");
  }

  public Bridge bridge() {
    return bridge;
  }

  public FakePlatform platform() {
    return platform;
  }

  public LocalStorage storage() {
    return storage;
  }

  public String databaseUrl() {
    return databaseUrl;
  }

  /** The deployment's trust file the bridge wrote at start, as its providers publish it. */
  public Path trustFile() {
    return dir.resolve("work").resolve(dev.cleanroom.attestation.trust.DeploymentTrust.FILE_NAME);
  }

  public Path dir() {
    return dir;
  }

  public List<String> log() {
    return List.copyOf(log);
  }

  // ---- HTTP ----

  /** A request; {@code user} may be null (no Authorization header) or a raw "token:..." string. */
  public HttpResponse<byte[]> send(String method, String path, String user, String contentType,
      HttpRequest.BodyPublisher body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base().resolve(path)).method(method, body);
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (user != null) {
      request.header("Authorization", "Bearer " + (user.startsWith("token:") ? user.substring(6) : TOKENS.get(user)));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  public HttpResponse<byte[]> get(String user, String path) throws IOException, InterruptedException {
    return send("GET", path, user, null, HttpRequest.BodyPublishers.noBody());
  }

  public HttpResponse<byte[]> post(String user, String path, String json) throws IOException, InterruptedException {
    return send("POST", path, user, "application/json", HttpRequest.BodyPublishers.ofString(json));
  }

  public HttpResponse<byte[]> submit(String user, byte[] notebook, String... datasets)
      throws IOException, InterruptedException {
    StringBuilder query = new StringBuilder("v1/jobs?name=regression.ipynb");
    for (String d : datasets) {
      query.append("&dataset=").append(d);
    }
    return send("POST", query.toString(), user, "application/json", HttpRequest.BodyPublishers.ofByteArray(notebook));
  }

  public static JsonNode json(HttpResponse<byte[]> response) throws IOException {
    return JSON.readTree(response.body());
  }

  /** Submits the regression notebook as {@code user} and returns the job id. */
  public String submitted(String user, String... datasets) throws Exception {
    HttpResponse<byte[]> response = submit(user, Notebooks.regression(), datasets);
    assertEquals(201, response.statusCode(), new String(response.body()));
    return json(response).path("id").asText();
  }

  /** Waits until the job is in {@code state}, failing with its timeline if it ends elsewhere or takes too long. */
  public Job awaitState(String jobId, JobState state) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    Job job = null;
    while (System.nanoTime() < deadline) {
      job = bridge.store().find(jobId).orElseThrow();
      if (job.state() == state) {
        return job;
      }
      if (job.state().isFinal()) {
        break;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("job " + jobId + " is " + (job == null ? "?" : job.state() + " (" + job.reason() + ")")
        + ", not " + state + "; timeline:\n" + String.join("\n", bridge.store().events(jobId).stream().map(e -> e.line()).toList()));
  }

  /** Submits as alice on insurance, approves as pat, and waits until FINISHED. */
  public String finishedJob() throws Exception {
    String id = submitted("alice", "insurance");
    assertEquals(200, post("pat", "v1/jobs/" + id + "/approve", "{}").statusCode());
    awaitState(id, JobState.FINISHED);
    return id;
  }

  @Override
  public void close() {
    bridge.close();
    http.close();
  }
}
