package dev.cleanroom.bridge.gcp;

import com.google.cloud.compute.v1.InstancesClient;
import dev.cleanroom.attestation.claims.ConfidentialSpace;
import dev.cleanroom.bridge.backend.PlatformIdentity;
import dev.cleanroom.bridge.backend.BuiltImage;
import dev.cleanroom.bridge.backend.DataGrants;
import dev.cleanroom.bridge.backend.ImageBuild;
import dev.cleanroom.bridge.backend.JobObjects;
import dev.cleanroom.bridge.backend.TeeBackend;
import dev.cleanroom.bridge.backend.TeePlatform;
import dev.cleanroom.bridge.backend.TeePlatformProvider;
import dev.cleanroom.bridge.datasets.CatalogDataset;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import dev.cleanroom.tee.api.ApprovedInputs;
import dev.cleanroom.tee.api.ImageBuildException;
import dev.cleanroom.tee.api.ImageBuilder;
import dev.cleanroom.tee.api.JobConfig;
import dev.cleanroom.tee.api.RegistryCredential;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.Set;
import java.util.TreeMap;

/**
 * The production TEE platform ({@code --tee gcp}): each job's image is built by the tee-image module's reproducible
 * build and pushed to Artifact Registry, run in its own Confidential Space VM ({@link ConfidentialSpaceBackend}),
 * and its job folder (manifest, token, outputs) is read back from the bridge's Cloud Storage ({@link GcsStorage}).
 *
 * <p>Before a launch the platform writes the job plan the launcher follows (nothing is mounted into a Confidential
 * Space container): the files the bridge holds (each dataset's provisioned {@code policy.yaml} and, when offered,
 * {@code synthetic.csv}) are copied to {@code jobs/<id>/inputs/} in the job storage, and {@code jobs/<id>/plan.json}
 * says where every input named in {@code DCR_INPUTS} is, with its sha256: V4 signed read URLs of those copies (the
 * VM gets no role on the job bucket), and the real rows where the provider keeps them ({@code gs://...}, read
 * through the provider's workload identity pool, {@link TeeDataAccess}; the bridge never reads them); and where the
 * job folder goes: a signed PUT URL of {@code jobs/<id>/result.zip}. The VM gets a signed read URL of the plan as
 * {@code DCR_JOB_PLAN_URL}. The launcher checks each input against its sha256 whatever its source. Once the VM has
 * exited (or, on a debug VM, once the archive is there) the platform unpacks the archive into
 * {@code jobs/<id>/result/} ({@link JobFolderArchive}), where the bridge reads job folders.
 *
 * <p>Settings: {@link GcpConfig}, from the bridge's {@code DCR_GCP_*} environment (the Helm chart) or
 * {@code --tee-option gcp.KEY=VALUE}, which wins; plus {@code --tee-option launcher-bundle=DIR} as for the local
 * platform. The Compute Engine client is made at the first call that needs it, so that a bridge starts without
 * dialing Compute Engine; the job storage has already checked the credentials.
 */
public final class ConfidentialSpacePlatform implements TeePlatform {
  public static final String NAME = "gcp";
  /** The Confidential Space token issuer's OIDC discovery document, which names its JWKS. */
  public static final URI ISSUER_DISCOVERY = URI.create(ConfidentialSpace.DISCOVERY_URL);
  static final String LAUNCHER_BUNDLE = "launcher-bundle";
  private static final System.Logger LOG = System.getLogger(ConfidentialSpacePlatform.class.getName());

  /** Pushes the image of a notebook to a registry reference; the tee-image build in production. */
  @FunctionalInterface
  interface ImagePush {
    /** @return the pushed image's manifest digest, {@code sha256:<hex>} */
    String push(Path notebook, ApprovedInputs inputs, String reference) throws IOException;
  }

  /** Makes the Compute Engine client. */
  @FunctionalInterface
  interface ComputeClient {
    InstancesClient create() throws IOException;
  }

  private final GcsStorage storage;
  private final DatasetCatalog datasets;
  private final ArtifactRegistry registry;
  private final ImagePush images;
  private final ComputeClient compute;
  private final ConfidentialSpaceSettings settings;
  private final Optional<TeeDataAccess> dataAccess;
  private final PlatformIdentity identity;
  private ConfidentialSpaceBackend backend; // made at first use, see the class comment

  ConfidentialSpacePlatform(GcsStorage storage, DatasetCatalog datasets, ArtifactRegistry registry, ImagePush images,
      ComputeClient compute, ConfidentialSpaceSettings settings, Optional<TeeDataAccess> dataAccess,
      PlatformIdentity identity) {
    this.identity = identity;
    this.storage = storage;
    this.datasets = datasets;
    this.registry = registry;
    this.images = images;
    this.compute = compute;
    this.settings = settings;
    this.dataAccess = dataAccess;
  }

  /** Registered in META-INF/services for {@code --tee gcp}. */
  public static final class Provider implements TeePlatformProvider {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public TeePlatform create(Settings settings) throws IOException {
      if (!(settings.storage() instanceof GcsStorage gcs)) {
        throw new IllegalArgumentException("--tee gcp keeps notebooks and job folders where Confidential Space VMs"
            + " reach them: give --storage gs://BUCKET/PREFIX");
      }
      Map<String, String> merged = new HashMap<>(settings.environment());
      for (Map.Entry<String, String> option : settings.options().entrySet()) {
        if (!option.getKey().startsWith("gcp.") && !option.getKey().equals(LAUNCHER_BUNDLE)
            && !option.getKey().equals(TeePlatformProvider.Settings.MAVEN_REPOSITORY)) {
          throw new IllegalArgumentException("--tee-option " + option.getKey() + " is not a setting of --tee gcp; give"
              + " gcp.* settings (docs/gcp.md), " + LAUNCHER_BUNDLE + "=DIR or "
              + TeePlatformProvider.Settings.MAVEN_REPOSITORY + "=URL");
        }
        merged.put(option.getKey(), option.getValue());
      }
      GcpConfig config = GcpConfig.from(merged);
      config.get(GcpConfig.BUCKET).filter(bucket -> !bucket.equals(gcs.bucket())).ifPresent(bucket -> {
        throw new IllegalArgumentException(GcpConfig.BUCKET + " (" + GcpConfig.environmentName(GcpConfig.BUCKET)
            + ") is '" + bucket + "' but --storage is " + gcs.location() + "; name the same bucket in both");
      });
      ConfidentialSpaceSettings vms = config.confidentialSpace();
      ArtifactRegistry registry = config.requiredRegistry();
      Optional<Path> bundle = settings.option(LAUNCHER_BUNDLE).map(Path::of);
      PlatformIdentity identity = new PlatformIdentity("gcp-" + vms.project() + "-" + gcs.bucket(), vms.project(),
          config.projectNumber(), List.of(vms.workloadServiceAccount()),
          List.of(registry.host() + "/" + registry.project() + "/" + registry.repository()), Optional.empty());
      return new ConfidentialSpacePlatform(gcs, settings.datasets(), registry, new JibPush(registry, bundle,
          settings::libraryRepository),
          InstancesClient::create, vms, config.dataAccess(), identity);
    }
  }

  @Override
  public ImageBuild images() {
    return this::build;
  }

  /** Pushes the job's image as {@code REGISTRY/<job id>}; the TEE pulls it by the digest the push reports. */
  private BuiltImage build(String jobId, Path notebook, ApprovedInputs inputs) throws IOException {
    String digest = images.push(notebook, inputs, registry.image(jobId));
    return new BuiltImage(registry.byDigest(jobId, digest), digest);
  }

  @Override
  public TeeBackend tee() {
    return tee;
  }

  /**
   * Each dataset's provider grants the job's image digest read access to that dataset's rows ({@link WorkloadGrants});
   * without an identity provider no job can read rows in Cloud Storage, and the launch says so.
   */
  @Override
  public DataGrants grants() {
    return dataAccess.<DataGrants>map(access -> new WorkloadGrants(datasets, access, storage::bucketBindings))
        .orElse(DataGrants.NONE);
  }

  @Override
  public URI issuerDiscovery() {
    return ISSUER_DISCOVERY;
  }

  /** The project, workload service account and Artifact Registry repository the bridge launches with. */
  @Override
  public PlatformIdentity identity() {
    return identity;
  }

  @Override
  public boolean simulated() {
    return false;
  }

  @Override
  public synchronized void close() {
    if (backend != null) {
      backend.close();
    }
  }

  public GcsStorage storage() {
    return storage;
  }

  public ConfidentialSpaceSettings settings() {
    return settings;
  }

  public ArtifactRegistry registry() {
    return registry;
  }

  private synchronized ConfidentialSpaceBackend backend() throws IOException {
    if (backend == null) {
      // A debug VM stays up after its workload exits: the job folder's archive, which the launcher uploads last,
      // marks the end.
      backend = new ConfidentialSpaceBackend(compute.create(), settings,
          ResultProbe.whenStored(storage, JobObjects::resultArchive));
    }
    return backend;
  }

  private final TeeBackend tee = new TeeBackend() {
    @Override
    public Run launch(LaunchRequest request) throws IOException {
      URI plan = stagePlan(request);
      Map<String, String> environment = new HashMap<>(request.environment());
      environment.put(JobConfig.JOB_PLAN_URL, plan.toString());
      return backend().launch(new LaunchRequest(request.jobId(), request.imageReference(), request.imageDigest(),
          environment, request.debug(), request.timeout()));
    }

    @Override
    public RunState state(String jobId) throws IOException {
      RunState state = backend().state(jobId);
      if (state == RunState.EXITED || state == RunState.LOST) {
        try {
          JobFolderArchive.unpack(storage, jobId);
        } catch (JobFolderArchive.InvalidArchiveException e) {
          // The job then fails without an attestation record; the reason is here.
          LOG.log(System.Logger.Level.WARNING, "job " + jobId + ": " + e.getMessage());
        }
      }
      return state;
    }

    @Override
    public void stop(String jobId) throws IOException {
      backend().stop(jobId);
    }
  };

  /**
   * Copies the inputs the bridge holds into the job storage and writes the job plan (tee-image's {@code JobPlan}
   * format); returns a signed read URL of the plan. Real rows are never copied: they must already be in Cloud
   * Storage, where the provider lets approved images read them.
   */
  URI stagePlan(TeeBackend.LaunchRequest request) throws IOException {
    Map<String, URI> known = new HashMap<>();
    Set<URI> realRows = new HashSet<>();
    for (CatalogDataset dataset : datasets.all()) {
      known.putAll(dataset.inputLocations());
      realRows.add(dataset.data());
    }
    // Valid while the VM may live: the job's time limit and the grace Compute Engine gives it.
    Duration validFor = request.timeout().plus(settings.runGrace());
    Duration urlLifetime = validFor.compareTo(GcsStorage.MAX_URL_LIFETIME) > 0 ? GcsStorage.MAX_URL_LIFETIME : validFor;
    JsonObject inputs = new JsonObject(new TreeMap<>());
    String declared = request.environment().getOrDefault(JobConfig.INPUTS, "");
    for (String pair : declared.isEmpty() ? new String[0] : declared.split(",")) {
      String name = pair.substring(0, pair.indexOf('='));
      JsonObject input = new JsonObject();
      URI location = known.get(name);
      if (location == null) {
        throw new IOException("input '" + name + "' of job " + request.jobId() + " is in no dataset this bridge serves");
      }
      if (GcsStorageProvider.SCHEME.equals(location.getScheme())) {
        TeeDataAccess access = dataAccess.orElseThrow(() -> new IOException("input '" + name + "' of job "
            + request.jobId() + " is in Cloud Storage, which the VM reads through the provider's workload identity"
            + " pool: set " + GcpConfig.IDENTITY_PROVIDER + " (docs/gcp.md, step 10)"));
        input.put("url", location.toString()).put("identityProvider", access.identityProvider());
        access.serviceAccount().ifPresent(account -> input.put("serviceAccount", account));
      } else if (realRows.contains(location)) {
        throw new IOException("input '" + name + "' of job " + request.jobId() + " is at " + location + ", which a"
            + " Confidential Space VM cannot read; give the real rows' Cloud Storage location: --dataset"
            + " NAME=VIEWS_DIR:gs://BUCKET/real.csv");
      } else {
        String key = JobObjects.input(request.jobId(), name);
        Path file = Path.of(location);
        try (InputStream in = Files.newInputStream(file)) {
          storage.put(key, in, Files.size(file));
        }
        input.put("url", storage.readUrl(key, urlLifetime).toString());
      }
      inputs.put(name, input.put("sha256", pair.substring(pair.indexOf('=') + 1)));
    }
    JsonObject plan = new JsonObject().put("inputs", inputs)
        .put("result", new JsonObject().put("url", storage.writeUrl(JobObjects.resultArchive(request.jobId()), urlLifetime).toString()));
    byte[] bytes = plan.encodePrettily().getBytes(StandardCharsets.UTF_8);
    String key = JobObjects.jobPlan(request.jobId());
    storage.put(key, new ByteArrayInputStream(bytes), bytes.length);
    return storage.readUrl(key, urlLifetime);
  }

  /**
   * The tee-image build, pushed to Artifact Registry with a login from Application Default Credentials (made for each
   * push: access tokens last an hour). The builder is made at the first build, which prepares the base runtime once.
   */
  private static final class JibPush implements ImagePush {
    private final ArtifactRegistry registry;
    private final Optional<Path> bundle;
    private ImageBuilder builder;

    /** The build's notebook-library repository, from the platform's options. */
    private final UnaryOperator<ImageBuilder.Builder> libraries;

    JibPush(ArtifactRegistry registry, Optional<Path> bundle, UnaryOperator<ImageBuilder.Builder> libraries) {
      this.libraries = libraries;
      this.registry = registry;
      this.bundle = bundle;
    }

    @Override
    public String push(Path notebook, ApprovedInputs inputs, String reference) throws IOException {
      ArtifactRegistry.RegistryLogin login = registry.login();
      try {
        return builder().push(notebook, inputs, reference, new RegistryCredential(login.username(), login.password())).digest();
      } catch (ImageBuildException e) {
        throw new IOException(e.getMessage() + " [" + e.code() + "]", e);
      }
    }

    private synchronized ImageBuilder builder() throws ImageBuildException {
      if (builder == null) {
        ImageBuilder.Builder b = ImageBuilder.builder();
        bundle.ifPresent(b::launcherBundle);
        builder = libraries.apply(b).build();
      }
      return builder;
    }
  }
}
