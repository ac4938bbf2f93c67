package dev.cleanroom.bridge;

import dev.cleanroom.bridge.auth.HubOAuth;
import dev.cleanroom.bridge.backend.LocalStorage;
import dev.cleanroom.bridge.backend.ObjectStorage;
import dev.cleanroom.bridge.backend.StorageProvider;
import dev.cleanroom.bridge.backend.TeePlatform;
import dev.cleanroom.bridge.backend.TeePlatformProvider;
import dev.cleanroom.bridge.datasets.CatalogDataset;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import dev.cleanroom.bridge.reconcile.Reconciler;
import dev.cleanroom.bridge.service.Limits;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts the job bridge ({@code ./dcr bridge}):
 *
 * <pre>
 * BridgeMain --database jdbc:sqlite:jobs.db --work DIR --storage DIR|gs://bucket/prefix
 *     (--tokens FILE | --hub-api URL) --dataset NAME=VIEWS_DIR:DATA [--dataset ...] --tee local|gcp
 *     [--tee-option KEY=VALUE ...] [--host 127.0.0.1] [--port 8480] [--base-path /services/bridge]
 *     [--max-notebook-mb 8] [--max-jobs-in-flight 5] [--job-timeout-minutes 60] [--hub-cache-seconds 30]
 *     [--poll-millis 2000] [--hub-oauth-client ID --hub-oauth-secret-file FILE] [--hub-url URL]
 * </pre>
 *
 * As a JupyterHub-managed service it takes the hub's API URL, its path prefix and where to listen from
 * {@code JUPYTERHUB_API_URL}, {@code JUPYTERHUB_SERVICE_PREFIX} and {@code JUPYTERHUB_SERVICE_URL} when the
 * options do not give them, and logs web UI users in through the
 * hub's OAuth with {@code JUPYTERHUB_CLIENT_ID}, {@code JUPYTERHUB_API_TOKEN} (the client secret),
 * {@code JUPYTERHUB_HOST} with {@code JUPYTERHUB_BASE_URL} (where browsers reach the hub) and
 * {@code JUPYTERHUB_OAUTH_CALLBACK_URL}; of {@code --tokens} and {@code --hub-api}, the last one given counts. Prints one line
 * {@code Job bridge ready at URL} once it serves, then one line per request and per job state change.
 */
public final class BridgeMain {
  public static final String READY = "Job bridge ready at ";
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);
  private static final String USAGE = """
      usage: BridgeMain --database JDBC_URL --work DIR --storage DIR|URI (--tokens FILE | --hub-api URL)
                        --dataset NAME=VIEWS_DIR:DATA [--dataset ...] --tee PLATFORM [--tee-option KEY=VALUE ...]
                        [--host 127.0.0.1] [--port 8480] [--base-path PREFIX] [--max-notebook-mb 8]
                        [--max-jobs-in-flight 5] [--job-timeout-minutes 60] [--hub-cache-seconds 30]
                        [--maven-repository URL]
                        [--poll-millis 2000] [--hub-oauth-client ID --hub-oauth-secret-file FILE] [--hub-url URL]""";

  private BridgeMain() {}

  public static void main(String[] args) {
    Bridge.Config config;
    try {
      config = parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("job-bridge: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    } catch (IOException e) {
      System.err.println("job-bridge: " + e.getMessage());
      System.exit(1);
      return;
    }
    try {
      Bridge bridge = Bridge.start(config);
      Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> bridge.close(SHUTDOWN_GRACE)));
      System.out.println(READY + "http://" + config.host() + ":" + bridge.port() + config.basePath() + "/ (web UI "
          + config.basePath() + "/ui/; datasets: " + String.join(", ", config.datasets().all().stream()
              .map(CatalogDataset::name).toList()) + ")");
    } catch (Exception e) {
      System.err.println("job-bridge: " + e.getMessage());
      System.exit(1);
    }
  }

  static Bridge.Config parse(String[] args, Map<String, String> env) throws IOException {
    Bridge.Builder config = Bridge.Config.builder();
    // The image builds read $DCR_MAVEN_REPOSITORY themselves; the review reads the same repository's POMs.
    Optional.ofNullable(env.get("DCR_MAVEN_REPOSITORY")).filter(v -> !v.isBlank()).map(URI::create)
        .ifPresent(config::mavenRepository);
    // A hub-managed service listens where the hub's proxy sends its requests.
    URI serviceUrl = URI.create(env.getOrDefault("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8480/"));
    String host = serviceUrl.getHost() == null ? "127.0.0.1" : serviceUrl.getHost();
    int port = serviceUrl.getPort() > 0 ? serviceUrl.getPort() : 8480;
    String basePath = env.getOrDefault("JUPYTERHUB_SERVICE_PREFIX", "").replaceAll("/+$", "");
    String database = null;
    String storage = null;
    String tee = null;
    Path work = null;
    Bridge.Auth auth = env.containsKey("JUPYTERHUB_API_URL")
        ? new Bridge.Auth.Hub(URI.create(env.get("JUPYTERHUB_API_URL")), Duration.ofSeconds(30)) : null;
    Duration hubCache = Duration.ofSeconds(30);
    String oauthClient = env.getOrDefault("JUPYTERHUB_CLIENT_ID", "");
    String oauthSecret = env.getOrDefault("JUPYTERHUB_API_TOKEN", "");
    boolean oauthAsked = false;
    String hubUrl = env.getOrDefault("JUPYTERHUB_HOST", "") + env.getOrDefault("JUPYTERHUB_BASE_URL", "/");
    long maxNotebookMb = 8;
    int maxInFlight = Limits.DEFAULT.maxJobsInFlight();
    long timeoutMinutes = Limits.DEFAULT.jobTimeout().toMinutes();
    Reconciler.Settings reconciler = Reconciler.Settings.DEFAULT;
    List<CatalogDataset> datasets = new ArrayList<>();
    Map<String, String> teeOptions = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      String value = args[++i];
      switch (flag) {
        case "--database" -> database = value;
        case "--work" -> work = Path.of(value);
        case "--storage" -> storage = value;
        case "--tokens" -> auth = new Bridge.Auth.Tokens(Path.of(value));
        case "--hub-api" -> auth = new Bridge.Auth.Hub(URI.create(value), hubCache);
        case "--hub-oauth-client" -> {
          oauthClient = value;
          oauthAsked = true;
        }
        case "--hub-oauth-secret-file" -> oauthSecret = Files.readString(Path.of(value), StandardCharsets.UTF_8).strip();
        case "--hub-url" -> hubUrl = value;
        case "--hub-cache-seconds" -> {
          hubCache = Duration.ofSeconds(number(flag, value));
          if (auth instanceof Bridge.Auth.Hub hub) {
            auth = new Bridge.Auth.Hub(hub.apiUrl(), hubCache);
          }
        }
        case "--dataset" -> datasets.add(DatasetCatalog.open(value));
        case "--tee" -> tee = value;
        case "--maven-repository" -> {
          // One setting for the review's POMs and the platform's image builds.
          config.mavenRepository(URI.create(value));
          teeOptions.put(TeePlatformProvider.Settings.MAVEN_REPOSITORY, value);
        }
        case "--tee-option" -> {
          int equals = value.indexOf('=');
          if (equals <= 0) {
            throw new IllegalArgumentException("--tee-option takes KEY=VALUE, got '" + value + "'");
          }
          teeOptions.put(value.substring(0, equals), value.substring(equals + 1));
        }
        case "--host" -> host = value;
        case "--port" -> port = (int) number(flag, value);
        case "--base-path" -> basePath = value.replaceAll("/+$", "");
        case "--max-notebook-mb" -> maxNotebookMb = number(flag, value);
        case "--max-jobs-in-flight" -> maxInFlight = (int) number(flag, value);
        case "--job-timeout-minutes" -> timeoutMinutes = number(flag, value);
        case "--poll-millis" -> reconciler = new Reconciler.Settings(Duration.ofMillis(number(flag, value)),
            reconciler.maxStepFailures(), reconciler.retryBackoff(), reconciler.maxLaunches(), reconciler.workers());
        default -> throw new IllegalArgumentException("unknown option '" + flag + "'");
      }
    }
    if (database == null || work == null || storage == null || tee == null || datasets.isEmpty()) {
      throw new IllegalArgumentException("--database, --work, --storage, --tee and at least one --dataset are required");
    }
    if (auth == null) {
      throw new IllegalArgumentException("give --tokens FILE or --hub-api URL (or run as a JupyterHub service)");
    }
    if (auth instanceof Bridge.Auth.Hub hub && !oauthClient.isEmpty()) {
      auth = new Bridge.Auth.Hub(hub.apiUrl(), hub.ttl(), Optional.of(hubOAuth(oauthClient, oauthSecret, hubUrl,
          env.getOrDefault("JUPYTERHUB_OAUTH_CALLBACK_URL", basePath + "/oauth_callback"), basePath)));
    } else if (oauthAsked) {
      throw new IllegalArgumentException("--hub-oauth-client logs users in through JupyterHub, so it needs --hub-api URL"
          + " (given after any --tokens)");
    }
    config.auth(auth);
    ObjectStorage objects = openStorage(storage, env);
    String platformName = tee;
    TeePlatformProvider provider = TeePlatformProvider.named(platformName).orElseThrow(() -> new IllegalArgumentException(
        "no TEE platform '" + platformName + "' on the class path; available: " + TeePlatformProvider.names()));
    DatasetCatalog catalog = DatasetCatalog.of(datasets);
    TeePlatform platform = provider.create(new TeePlatformProvider.Settings(work.resolve("tee"), objects, catalog, teeOptions,
        env));
    return config.database(database)
        .listen(host, port)
        .basePath(basePath)
        .workDir(work)
        .storage(objects)
        .datasets(catalog)
        .platform(platform)
        .limits(new Limits(maxNotebookMb << 20, maxInFlight, Duration.ofMinutes(timeoutMinutes)))
        .reconciler(reconciler)
        .build();
  }

  /** The hub's OAuth client settings, checked against where the bridge serves its callback. */
  private static HubOAuth hubOAuth(String clientId, String secret, String hubUrl, String callbackUrl, String basePath) {
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("logging in through JupyterHub needs the client secret, the service's hub API"
          + " token: JUPYTERHUB_API_TOKEN or --hub-oauth-secret-file FILE");
    }
    HubOAuth oauth = new HubOAuth(clientId, secret, hubUrl, callbackUrl);
    if (!oauth.callbackPath().equals(basePath + "/oauth_callback")) {
      throw new IllegalArgumentException("the hub sends logins back to " + callbackUrl + " but the bridge takes them at "
          + basePath + "/oauth_callback; set the service's oauth_redirect_uri to that path");
    }
    return oauth;
  }

  /**
   * A local folder, or a URI opened by the {@link StorageProvider} of its scheme ({@code gs://BUCKET/PREFIX}) with the
   * bridge's environment as its settings ({@code DCR_GCP_*}).
   */
  private static ObjectStorage openStorage(String location, Map<String, String> env) throws IOException {
    int scheme = location.indexOf("://");
    if (scheme < 0) {
      return LocalStorage.at(Path.of(location));
    }
    String name = location.substring(0, scheme);
    StorageProvider provider = StorageProvider.forScheme(name).orElseThrow(() -> new IllegalArgumentException(
        "--storage '" + location + "': no storage for '" + name + "://' on the class path; give a local folder or"
        + " gs://BUCKET/PREFIX"));
    URI uri;
    try {
      uri = new URI(location);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("--storage '" + location + "' is not a URI: give a local folder or"
          + " " + name + "://BUCKET/PREFIX");
    }
    try {
      return provider.open(uri, env);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--storage: " + e.getMessage(), e);
    }
  }

  private static long number(String flag, String value) {
    try {
      long n = Long.parseLong(value);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " takes a whole number, got '" + value + "'");
    }
  }
}
