package dev.cleanroom.bridge;

import dev.cleanroom.attestation.trust.DeploymentTrust;
import dev.cleanroom.bridge.auth.Authenticator;
import dev.cleanroom.bridge.auth.HubAuthenticator;
import dev.cleanroom.bridge.auth.HubLogin;
import dev.cleanroom.bridge.auth.HubOAuth;
import dev.cleanroom.bridge.auth.TokenFile;
import dev.cleanroom.bridge.backend.ObjectStorage;
import dev.cleanroom.bridge.backend.TeePlatform;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import dev.cleanroom.bridge.http.BridgeServer;
import dev.cleanroom.bridge.libraries.JobLibraries;
import dev.cleanroom.bridge.metrics.Metrics;
import dev.cleanroom.bridge.reconcile.Reconciler;
import dev.cleanroom.bridge.report.JobReports;
import dev.cleanroom.bridge.report.TrustFile;
import dev.cleanroom.bridge.service.JobService;
import dev.cleanroom.bridge.service.Limits;
import dev.cleanroom.bridge.store.JobStore;
import dev.cleanroom.kernel.maven.NotebookLibraries;
import dev.cleanroom.tee.api.ImageBuilder;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A running job bridge: the jobs database, the REST service and web UI, and the reconciler, over one storage
 * and one TEE platform. {@code BridgeMain} starts one from the command line; tests start them in-process.
 */
public final class Bridge implements AutoCloseable {
  private final Vertx vertx;
  private final JobStore store;
  private final JobService service;
  private final BridgeServer server;
  private final Reconciler reconciler;
  private final TeePlatform platform;
  private final HubAuthenticator hub;
  private final HubLogin hubLogin;

  private Bridge(Vertx vertx, JobStore store, JobService service, BridgeServer server, Reconciler reconciler,
      TeePlatform platform, HubAuthenticator hub, HubLogin hubLogin) {
    this.vertx = vertx;
    this.store = store;
    this.service = service;
    this.server = server;
    this.reconciler = reconciler;
    this.platform = platform;
    this.hub = hub;
    this.hubLogin = hubLogin;
  }

  /** How bearer tokens are checked. */
  public sealed interface Auth {
    /** A token file ({@link TokenFile}): the embedded default and tests. */
    record Tokens(Path file) implements Auth {}

    /**
     * JupyterHub's API, answers cached for {@code ttl}; with {@code oauth}, the web UI logs users in through the
     * hub ({@link HubLogin}) and requests may carry its session cookie instead of a token.
     */
    record Hub(URI apiUrl, Duration ttl, Optional<HubOAuth> oauth) implements Auth {
      public Hub(URI apiUrl, Duration ttl) {
        this(apiUrl, ttl, Optional.empty());
      }
    }
  }

  /** Everything a bridge is made of; {@link #builder()} has a default for all but the four required parts. */
  public record Config(String host, int port, String basePath, String databaseUrl, Path workDir, ObjectStorage storage,
      DatasetCatalog datasets, Auth auth, TeePlatform platform, Limits limits, Reconciler.Settings reconciler,
      Optional<String> audience, Clock clock, Consumer<String> log, URI mavenRepository) {

    public static Builder builder() {
      return new Builder();
    }
  }

  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 8480;
    private String basePath = "";
    private String databaseUrl;
    private Path workDir;
    private ObjectStorage storage;
    private DatasetCatalog datasets;
    private Auth auth;
    private TeePlatform platform;
    private Limits limits = Limits.DEFAULT;
    private Reconciler.Settings reconciler = Reconciler.Settings.DEFAULT;
    private Optional<String> audience = Optional.empty();
    private Clock clock = Clock.systemUTC();
    private Consumer<String> log = System.out::println;
    private URI mavenRepository = NotebookLibraries.CENTRAL;

    private Builder() {}

    /**
     * The Maven repository notebooks' own libraries ({@code %maven}) come from, where the review reads their POMs'
     * licences (default Maven Central); the platform's image builds take the same from its {@code maven-repository}
     * option.
     */
    public Builder mavenRepository(URI value) {
      this.mavenRepository = value;
      return this;
    }

    public Builder listen(String host, int port) {
      this.host = host;
      this.port = port;
      return this;
    }

    public Builder basePath(String value) {
      this.basePath = value;
      return this;
    }

    /** Required: {@code jdbc:sqlite:<file>} or {@code jdbc:postgresql://...}. */
    public Builder database(String jdbcUrl) {
      this.databaseUrl = jdbcUrl;
      return this;
    }

    /** Required: a folder of the bridge's own (notebooks for builds, copies of job folders, platform files). */
    public Builder workDir(Path value) {
      this.workDir = value;
      return this;
    }

    public Builder storage(ObjectStorage value) {
      this.storage = value;
      return this;
    }

    public Builder datasets(DatasetCatalog value) {
      this.datasets = value;
      return this;
    }

    public Builder auth(Auth value) {
      this.auth = value;
      return this;
    }

    public Builder platform(TeePlatform value) {
      this.platform = value;
      return this;
    }

    public Builder limits(Limits value) {
      this.limits = value;
      return this;
    }

    public Builder reconciler(Reconciler.Settings value) {
      this.reconciler = value;
      return this;
    }

    /**
     * The audience the TEEs ask their tokens for; by default {@code urn:cleanroom:deployment:<deployment>}, made from
     * the platform's deployment name, so that a token asked for another deployment is refused.
     */
    public Builder audience(String value) {
      this.audience = Optional.of(value);
      return this;
    }

    public Builder clock(Clock value) {
      this.clock = value;
      return this;
    }

    public Builder log(Consumer<String> value) {
      this.log = value;
      return this;
    }

    public Config build() {
      return new Config(host, port, basePath, Objects.requireNonNull(databaseUrl, "database"),
          Objects.requireNonNull(workDir, "workDir"), Objects.requireNonNull(storage, "storage"),
          Objects.requireNonNull(datasets, "datasets"), Objects.requireNonNull(auth, "auth"),
          Objects.requireNonNull(platform, "platform"), limits, reconciler, audience, clock, log, mavenRepository);
    }
  }

  /** Opens the database, starts the reconciler (which picks up every job not over) and then serves. */
  public static Bridge start(Config config) throws IOException {
    Files.createDirectories(config.workDir());
    JobStore store = JobStore.open(config.databaseUrl(), config.clock());
    Metrics metrics = new Metrics();
    store.onStateChange(event -> {
      config.log().accept(event.line());
      event.to().ifPresent(metrics::transition);
    });
    Vertx vertx = Vertx.vertx();
    HubAuthenticator hub = null;
    HubLogin hubLogin = null;
    try {
      Authenticator authenticator = switch (config.auth()) {
        case Auth.Tokens tokens -> TokenFile.read(tokens.file());
        case Auth.Hub h -> hub = HubAuthenticator.create(vertx, h.apiUrl(), h.ttl(), config.clock());
      };
      if (config.auth() instanceof Auth.Hub h && h.oauth().isPresent()) {
        hubLogin = HubLogin.create(vertx, h.apiUrl(), h.oauth().get(), config.clock());
      }
      DeploymentTrust trust = TrustFile.of(config.platform().identity(), config.audience(), config.datasets());
      Path trustFile = config.workDir().resolve(DeploymentTrust.FILE_NAME);
      trust.write(trustFile);
      config.log().accept("job-bridge: deployment " + trust.deployment() + "; its trust file, for auditors: " + trustFile);
      JobReports reports = JobReports.create(config.storage(), config.workDir().resolve("folders"),
          config.platform().issuerDiscovery(), config.platform().simulated(), config.platform().extraHardwareModels(),
          trust, config.clock());
      Reconciler reconciler = Reconciler.create(store, config.storage(), config.platform(), reports, config.datasets(),
          config.reconciler(), config.clock(), metrics, config.log(), trust.audience(), config.workDir());
      JobService service = JobService.create(vertx, store, config.storage(), config.datasets(), reports,
          config.limits(), reconciler::wake,
          new JobLibraries(config.mavenRepository(), ImageBuilder.libraryCache(ImageBuilder.defaultCache())));
      reconciler.start();
      BridgeServer server = BridgeServer.start(vertx, service, authenticator, Optional.ofNullable(hubLogin), metrics,
              new BridgeServer.Options(config.host(), config.port(), config.basePath(), config.limits().maxNotebookBytes(),
                  new String(trust.toBytes(), java.nio.charset.StandardCharsets.UTF_8)),
              config.log())
          .await(30, TimeUnit.SECONDS);
      return new Bridge(vertx, store, service, server, reconciler, config.platform(), hub, hubLogin);
    } catch (Exception e) {
      vertx.close();
      store.close();
      if (e instanceof BindException) {
        throw new IOException("could not listen on " + config.host() + ":" + config.port() + ": " + e.getMessage()
            + "; stop what holds that port or choose another --port", e);
      }
      if (e instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException("could not start the bridge on " + config.host() + ":" + config.port() + ": "
          + e.getMessage(), e);
    }
  }

  public int port() {
    return server.port();
  }

  public JobStore store() {
    return store;
  }

  public Reconciler reconciler() {
    return reconciler;
  }

  /** Stops serving (requests under way get {@code grace}), stops the reconciler, and closes the database. */
  public void close(Duration grace) {
    try {
      // One at a time from this thread: closing Vert.x inside a Vert.x callback never completes.
      server.close(grace).await(grace.toSeconds() + 5, TimeUnit.SECONDS);
      reconciler.close(grace);
      service.close().await(5, TimeUnit.SECONDS);
      if (hub != null) {
        hub.close().await(5, TimeUnit.SECONDS);
      }
      if (hubLogin != null) {
        hubLogin.close().await(5, TimeUnit.SECONDS);
      }
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("job-bridge: shutdown: " + e.getMessage());
    } finally {
      store.close();
      try {
        platform.close();
      } catch (Exception e) {
        System.err.println("job-bridge: closing the TEE platform: " + e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(1));
  }
}
