package dev.cleanroom.bridge.gcp;

import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The bridge's Google Cloud settings, read from its configuration: keys {@code gcp.*} (a properties or YAML
 * file), or the same names as environment variables ({@code gcp.tee.machine-type} is
 * {@code DCR_GCP_TEE_MACHINE_TYPE}), which is how the Helm chart passes them. docs/gcp.md lists every key.
 * An unknown {@code gcp.*} key is refused, so a misspelt setting never silently falls back to its default.
 */
public final class GcpConfig {
  public static final String PROJECT = "gcp.project";
  public static final String PROJECT_NUMBER = "gcp.project-number";
  public static final String BUCKET = "gcp.bucket";
  public static final String URL_SIGNER = "gcp.storage.url-signer";
  public static final String REGISTRY = "gcp.registry";
  public static final String ZONE = "gcp.tee.zone";
  public static final String SERVICE_ACCOUNT = "gcp.tee.service-account";
  public static final String CONFIDENTIAL_TYPE = "gcp.tee.confidential-type";
  public static final String MACHINE_TYPE = "gcp.tee.machine-type";
  public static final String NETWORK = "gcp.tee.network";
  public static final String SUBNETWORK = "gcp.tee.subnetwork";
  public static final String EXTERNAL_IP = "gcp.tee.external-ip";
  public static final String BOOT_DISK_GB = "gcp.tee.boot-disk-gb";
  public static final String IMAGE = "gcp.tee.image";
  public static final String DEBUG_IMAGE = "gcp.tee.debug-image";
  public static final String DEBUG_ALLOWED = "gcp.tee.debug-allowed";
  public static final String RUN_GRACE = "gcp.tee.run-grace";
  public static final String IDENTITY_PROVIDER = "gcp.tee.identity-provider";
  public static final String DATA_READER = "gcp.tee.data-reader";

  private static final List<String> KEYS = List.of(PROJECT, PROJECT_NUMBER, BUCKET, URL_SIGNER, REGISTRY, ZONE, SERVICE_ACCOUNT,
      CONFIDENTIAL_TYPE, MACHINE_TYPE, NETWORK, SUBNETWORK, EXTERNAL_IP, BOOT_DISK_GB, IMAGE, DEBUG_IMAGE, DEBUG_ALLOWED,
      RUN_GRACE, IDENTITY_PROVIDER, DATA_READER);

  private final Map<String, String> values;

  private GcpConfig(Map<String, String> values) {
    this.values = values;
  }

  /**
   * The {@code gcp.*} and {@code DCR_GCP_*} entries of {@code settings} (other entries are ignored); a dotted
   * key wins over its environment form.
   */
  public static GcpConfig from(Map<String, String> settings) {
    Map<String, String> values = new TreeMap<>();
    for (Map.Entry<String, String> entry : settings.entrySet()) {
      String key = entry.getKey();
      boolean dotted = key.startsWith("gcp.");
      if (!dotted && !key.startsWith("DCR_GCP_") || entry.getValue() == null || entry.getValue().isBlank()) {
        continue;
      }
      String known = KEYS.stream().filter(k -> dotted ? k.equals(key) : environmentName(k).equals(key)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("Unknown Google Cloud setting '" + key + "'; the settings"
              + " are " + String.join(", ", KEYS) + " (docs/gcp.md)"));
      if (dotted || !values.containsKey(known)) {
        values.put(known, entry.getValue().strip());
      }
    }
    return new GcpConfig(values);
  }

  /** Every setting the bridge reads, as {@code gcp.*} keys. */
  public static List<String> keys() {
    return KEYS;
  }

  /** {@code gcp.tee.machine-type} → {@code DCR_GCP_TEE_MACHINE_TYPE}. */
  public static String environmentName(String key) {
    return "DCR_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The setting {@code key} ({@code gcp.*}), when it is given. */
  public Optional<String> get(String key) {
    if (!KEYS.contains(key)) {
      throw new IllegalArgumentException("'" + key + "' is not a Google Cloud setting; the settings are " + String.join(", ", KEYS));
    }
    return optional(key);
  }

  /** The Artifact Registry repository job images are pushed to; required where images are built for Confidential Space. */
  public ArtifactRegistry requiredRegistry() {
    return ArtifactRegistry.parse(required(REGISTRY, "the Artifact Registry repository the job images are pushed to,"
        + " e.g. us-central1-docker.pkg.dev/my-project/cleanroom"));
  }

  public String project() {
    return required(PROJECT, "the project that holds the bucket and runs the VMs");
  }

  /**
   * The project's number, which Confidential Space tokens carry beside its id ({@code submods.gce.project_number}) and
   * the deployment's trust file names; {@code gcloud projects describe PROJECT --format='value(projectNumber)'}.
   */
  public String projectNumber() {
    String number = required(PROJECT_NUMBER, "the number of the project the VMs run in (gcloud projects describe"
        + " PROJECT --format='value(projectNumber)'), which the deployment's trust file names");
    if (!number.matches("[0-9]{1,20}")) {
      throw new IllegalArgumentException(PROJECT_NUMBER + " '" + number + "' is not a project number (digits only)");
    }
    return number;
  }

  public String bucket() {
    return required(BUCKET, "the bucket for notebooks, inputs and results");
  }

  public Optional<String> urlSigner() {
    return optional(URL_SIGNER);
  }

  public Optional<ArtifactRegistry> registry() {
    return optional(REGISTRY).map(ArtifactRegistry::parse);
  }

  public ConfidentialSpaceSettings confidentialSpace() {
    var builder = ConfidentialSpaceSettings.builder(project(), required(ZONE, "the zone of the VMs, e.g. us-central1-a"),
        required(SERVICE_ACCOUNT, "the workload service account the VMs run as"));
    optional(CONFIDENTIAL_TYPE).map(ConfidentialType::parse).ifPresent(builder::confidentialType);
    optional(MACHINE_TYPE).ifPresent(builder::machineType);
    optional(NETWORK).ifPresent(builder::network);
    optional(SUBNETWORK).ifPresent(builder::subnetwork);
    optional(EXTERNAL_IP).map(v -> bool(EXTERNAL_IP, v)).ifPresent(builder::externalIp);
    optional(BOOT_DISK_GB).map(v -> integer(BOOT_DISK_GB, v)).ifPresent(builder::bootDiskGb);
    optional(IMAGE).ifPresent(builder::image);
    optional(DEBUG_IMAGE).ifPresent(builder::debugImage);
    optional(DEBUG_ALLOWED).map(v -> bool(DEBUG_ALLOWED, v)).ifPresent(builder::debugAllowed);
    optional(RUN_GRACE).map(v -> duration(RUN_GRACE, v)).ifPresent(builder::runGrace);
    return builder.build();
  }

  /**
   * How the VMs read the provider's real rows: {@code gcp.tee.identity-provider} and, optionally,
   * {@code gcp.tee.data-reader}; empty when no identity provider is set (then a job on {@code gs://} rows is refused).
   */
  public Optional<TeeDataAccess> dataAccess() {
    if (optional(IDENTITY_PROVIDER).isEmpty() && optional(DATA_READER).isPresent()) {
      throw new IllegalArgumentException(DATA_READER + " is set but " + IDENTITY_PROVIDER + " is not: the data reader"
          + " is impersonated with the identity pool's token (docs/gcp.md)");
    }
    return optional(IDENTITY_PROVIDER).map(provider -> new TeeDataAccess(provider, optional(DATA_READER)));
  }

  /** The job storage in {@code gcp.bucket}, with Application Default Credentials. */
  public GcsStorage storage() throws IOException {
    return GcsStorage.create(project(), bucket(), urlSigner());
  }

  /** The Confidential Space backend, with Application Default Credentials. */
  public ConfidentialSpaceBackend teeBackend(ResultProbe results) throws IOException {
    return ConfidentialSpaceBackend.create(confidentialSpace(), results);
  }

  private String required(String key, String what) {
    return optional(key).orElseThrow(() -> new IllegalArgumentException(key + " (or " + environmentName(key)
        + ") is not set: name " + what + " (docs/gcp.md)"));
  }

  private Optional<String> optional(String key) {
    return Optional.ofNullable(values.get(key));
  }

  private static boolean bool(String key, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(key + " is '" + value + "': use true or false");
    };
  }

  private static int integer(String key, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " is '" + value + "': use a whole number");
    }
  }

  private static Duration duration(String key, String value) {
    try {
      return Duration.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(key + " is '" + value + "': use an ISO-8601 duration such as PT15M");
    }
  }
}
