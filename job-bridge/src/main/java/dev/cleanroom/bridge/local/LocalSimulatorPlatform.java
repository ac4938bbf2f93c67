package dev.cleanroom.bridge.local;

import dev.cleanroom.attestation.simulator.OidcServer;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import dev.cleanroom.bridge.backend.BuiltImage;
import dev.cleanroom.bridge.backend.DeploymentId;
import dev.cleanroom.bridge.backend.PlatformIdentity;
import dev.cleanroom.bridge.backend.ImageBuild;
import dev.cleanroom.bridge.backend.FileTrees;
import dev.cleanroom.bridge.backend.JobObjects;
import dev.cleanroom.bridge.backend.LocalStorage;
import dev.cleanroom.bridge.backend.TeeBackend;
import dev.cleanroom.bridge.backend.TeePlatform;
import dev.cleanroom.bridge.backend.TeePlatformProvider;
import dev.cleanroom.bridge.datasets.CatalogDataset;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import dev.cleanroom.tee.api.ApprovedInputs;
import dev.cleanroom.tee.api.ImageBuildException;
import dev.cleanroom.tee.api.ImageBuilder;
import dev.cleanroom.tee.api.SimulationException;
import dev.cleanroom.tee.api.TeeSimulator;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The embedded default TEE platform ({@code --tee local}): images built by the tee-image module's reproducible
 * build into OCI layouts on disk, and each job run in its Confidential Space simulator (runc as root, else a plain
 * process) by a {@link SimulatedRunMain} process of its own, which writes the job folder straight into the bridge's
 * local storage. The simulator's keys are in a file the bridge publishes (OIDC discovery and JWKS on loopback) and
 * the runs sign with.
 *
 * <p>Options ({@code --tee-option}): {@code launcher-bundle=DIR} (tee-image's launcher bundle, default: found beside
 * tee-image's classes), {@code isolation=runc|process} (default: runc where possible), {@code maven-repository=URL}
 * (where the jars notebooks lock with {@code %maven} are fetched from).
 */
public final class LocalSimulatorPlatform implements TeePlatform {
  public static final String NAME = "local";

  private final Path work;
  private final LocalStorage storage;
  private final DatasetCatalog datasets;
  private final Map<String, String> options;
  private final TeePlatformProvider.Settings settings;
  private final SimulatedWorkload.Isolation isolation;
  private final Path keys;
  private final String deploymentId;
  private final SimulatorKeys signingKeys;
  private final OidcServer issuer;
  private final DetachedRuns runs;
  private ImageBuilder builder; // made on the first build: it prepares the base runtime, which takes a while once

  private LocalSimulatorPlatform(TeePlatformProvider.Settings settings) throws IOException {
    if (!(settings.storage() instanceof LocalStorage local)) {
      throw new IllegalArgumentException("the local TEE simulator writes job folders into local storage; give --storage a folder");
    }
    this.work = Files.createDirectories(settings.workDir());
    this.storage = local;
    this.datasets = settings.datasets();
    this.options = settings.options();
    this.settings = settings;
    // runc unless the operator asks for the plain process (--tee-option isolation=process): never a silent fallback
    // to no isolation; every token says which it was.
    this.isolation = settings.option("isolation").map(v -> SimulatedWorkload.Isolation.valueOf(v.toUpperCase(Locale.ROOT)))
        .orElse(SimulatedWorkload.Isolation.RUNC);
    try {
      TeeSimulator.requireIsolation(isolation);
    } catch (SimulationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    this.keys = work.resolve("simulator-keys.json");
    this.deploymentId = DeploymentId.loadOrCreate(work.resolve("deployment-id"));
    this.signingKeys = SimulatorKeys.loadOrCreate(keys);
    this.issuer = OidcServer.start(signingKeys, 0);
    this.runs = new DetachedRuns(work.resolve("runs"), Clock.systemUTC());
  }

  /** Registered in META-INF/services for {@code --tee local}. */
  public static final class Provider implements TeePlatformProvider {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public TeePlatform create(Settings settings) throws IOException {
      return new LocalSimulatorPlatform(settings);
    }
  }

  @Override
  public URI issuerDiscovery() {
    return issuer.discoveryUrl();
  }

  @Override
  public boolean simulated() {
    return true;
  }

  /**
   * The simulator's stand-in project, and images in the tee-image repository (the simulator's token names the image
   * by it); the deployment is named by an id made once for this platform's folder, as its keys are.
   */
  @Override
  public PlatformIdentity identity() {
    return PlatformIdentity.simulator("local-" + deploymentId, List.of(ImageBuilder.REPOSITORY),
        signingKeys.archive(Instant.now()));
  }

  /** A plain-process run attests its weaker isolation with its own hardware model; the bridge accepts it here. */
  @Override
  public Set<String> extraHardwareModels() {
    return isolation == SimulatedWorkload.Isolation.PROCESS ? Set.of(isolation.hardwareModel()) : Set.of();
  }

  public SimulatedWorkload.Isolation isolation() {
    return isolation;
  }

  @Override
  public ImageBuild images() {
    return this::build;
  }

  private BuiltImage build(String jobId, Path notebook, ApprovedInputs inputs) throws IOException {
    Path layout = work.resolve("images").resolve(jobId);
    FileTrees.delete(layout); // what a build cut off by a crash left
    try {
      dev.cleanroom.tee.api.BuiltImage image = builder().build(notebook, inputs, layout);
      return new BuiltImage(layout.toString(), image.digest());
    } catch (ImageBuildException e) {
      throw new IOException(e.getMessage() + " [" + e.code() + "]", e);
    }
  }

  private synchronized ImageBuilder builder() throws ImageBuildException {
    if (builder == null) {
      ImageBuilder.Builder b = ImageBuilder.builder();
      options.entrySet().stream().filter(e -> e.getKey().equals("launcher-bundle"))
          .forEach(e -> b.launcherBundle(Path.of(e.getValue())));
      builder = settings.libraryRepository(b).build();
    }
    return builder;
  }

  private final TeeBackend tee = new TeeBackend() {
    @Override
    public Run launch(LaunchRequest request) throws IOException {
      Path jobFolder = storage.file(JobObjects.result(request.jobId()).replaceAll("/$", ""));
      String javaCommand = ProcessHandle.current().info().command().orElse("java");
      Path run = runs.folder(request.jobId());
      runs.start(request.jobId(), List.of(javaCommand, "-cp", System.getProperty("java.class.path"),
          SimulatedRunMain.class.getName(), run.toString(), request.imageReference(), jobFolder.toString(),
          keys.toString(), isolation.name()), Map.of(), folder -> {
            Files.writeString(folder.resolve("env"), lines(request.environment()));
            Files.writeString(folder.resolve("inputs"), lines(inputs(request)));
          });
      return new Run(request.jobId(), "simulator (" + isolation.name().toLowerCase(Locale.ROOT) + ") " + run);
    }

    @Override
    public RunState state(String jobId) {
      return runs.state(jobId);
    }

    @Override
    public void stop(String jobId) {
      runs.stop(jobId);
    }
  };

  /** Where each input of the job's launcher variables comes from: the datasets' locations in the catalog. */
  private Map<String, String> inputs(TeeBackend.LaunchRequest request) throws IOException {
    Map<String, String> inputs = new java.util.LinkedHashMap<>();
    for (CatalogDataset dataset : datasets.all()) {
      dataset.inputLocations().forEach((name, location) -> inputs.put(name, location.toString()));
    }
    String declared = request.environment().getOrDefault("DCR_INPUTS", "");
    Map<String, String> needed = new java.util.LinkedHashMap<>();
    for (String pair : declared.isEmpty() ? new String[0] : declared.split(",")) {
      String name = pair.substring(0, pair.indexOf('='));
      String location = inputs.get(name);
      if (location == null || !location.startsWith("file:")) {
        throw new IOException("input '" + name + "' of job " + request.jobId() + " is not a local file this simulator can"
            + " mount (" + location + ")");
      }
      needed.put(name, location);
    }
    return needed;
  }

  private static String lines(Map<String, String> pairs) {
    return pairs.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n", "", "\n"));
  }

  @Override
  public TeeBackend tee() {
    return tee;
  }

  /** Runs that hold a process now; for checking that none is left behind. */
  public List<String> liveRuns() throws IOException {
    return runs.alive();
  }



  @Override
  public void close() {
    issuer.close();
  }
}
