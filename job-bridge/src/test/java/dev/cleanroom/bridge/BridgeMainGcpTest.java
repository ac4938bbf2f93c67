package dev.cleanroom.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.bridge.gcp.ConfidentialSpacePlatform;
import dev.cleanroom.bridge.gcp.ConfidentialType;
import dev.cleanroom.bridge.gcp.FakeGcsServer;
import dev.cleanroom.bridge.gcp.GcsLocation;
import dev.cleanroom.bridge.gcp.GcsStorage;
import dev.cleanroom.bridge.testing.BridgeFixture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code BridgeMain --tee gcp --storage gs://BUCKET/PREFIX} with the settings the Helm chart passes (its
 * {@code DCR_GCP_*} ConfigMap with the chart's defaults), the storage on fake-gcs-server through
 * {@code STORAGE_EMULATOR_HOST}.
 */
class BridgeMainGcpTest {
  @RegisterExtension
  static final FakeGcsServer SERVER = new FakeGcsServer();

  @TempDir Path dir;
  private String bucket;
  private Map<String, String> environment;

  @BeforeEach
  void chartEnvironment() {
    bucket = SERVER.newBucket(SERVER.client());
    environment = new HashMap<>(Map.of(
        "STORAGE_EMULATOR_HOST", SERVER.endpoint().toString(),
        "DCR_GCP_PROJECT", "clean-room-prod",
        "DCR_GCP_BUCKET", bucket,
        "DCR_GCP_REGISTRY", "us-central1-docker.pkg.dev/clean-room-prod/cleanroom",
        "DCR_GCP_TEE_ZONE", "us-central1-a",
        "DCR_GCP_TEE_SERVICE_ACCOUNT", "dcr-workload@clean-room-prod.iam.gserviceaccount.com",
        "DCR_GCP_TEE_CONFIDENTIAL_TYPE", "TDX",
        "DCR_GCP_TEE_EXTERNAL_IP", "false",
        "DCR_GCP_TEE_BOOT_DISK_GB", "30",
        "DCR_GCP_TEE_DEBUG_ALLOWED", "false"));
    environment.put("DCR_GCP_PROJECT_NUMBER", "123456789012");
    environment.put("DCR_GCP_TEE_RUN_GRACE", "PT15M");
  }

  private List<String> args(String storage, String... more) throws Exception {
    String spec = BridgeFixture.datasetSpecs(dir).get(0);
    List<String> args = new ArrayList<>(List.of("--database", "jdbc:sqlite:" + dir.resolve("jobs.db"),
        "--work", dir.resolve("work").toString(), "--storage", storage, "--tee", "gcp", "--tokens", "tokens.txt",
        "--dataset", spec.substring(0, spec.indexOf(':', spec.indexOf('=')) + 1) + "gs://insurer-data/insurance/real.csv"));
    args.addAll(List.of(more));
    return args;
  }

  @Test
  void teeGcp_withTheChartsEnvironment_makesTheConfidentialSpacePlatformOnTheBucket() throws Exception {
    Bridge.Config config = BridgeMain.parse(args("gs://" + bucket + "/jobs").toArray(String[]::new), environment);

    ConfidentialSpacePlatform platform = assertInstanceOf(ConfidentialSpacePlatform.class, config.platform());
    assertEquals(new GcsLocation(bucket, "jobs/"), assertInstanceOf(GcsStorage.class, config.storage()).location());
    assertEquals(platform.storage(), config.storage());
    assertEquals("clean-room-prod", platform.settings().project());
    assertEquals("us-central1-a", platform.settings().zone());
    assertEquals(ConfidentialType.TDX, platform.settings().confidentialType());
    assertEquals("c3-standard-4", platform.settings().machineType());
    assertEquals("dcr-workload@clean-room-prod.iam.gserviceaccount.com", platform.settings().workloadServiceAccount());
    assertEquals("us-central1-docker.pkg.dev/clean-room-prod/cleanroom/x", platform.registry().image("x"));
    // What the deployment's trust file names: the project and its number, the workload account, the registry.
    assertEquals(new dev.cleanroom.bridge.backend.PlatformIdentity("gcp-clean-room-prod-" + bucket, "clean-room-prod",
        "123456789012", java.util.List.of("dcr-workload@clean-room-prod.iam.gserviceaccount.com"),
        java.util.List.of("us-central1-docker.pkg.dev/clean-room-prod/cleanroom"), java.util.Optional.empty()),
        platform.identity());
    platform.close();
  }

  @Test
  void teeGcp_withoutTheProjectNumber_isRefusedSayingHowToFindIt() {
    environment.remove("DCR_GCP_PROJECT_NUMBER");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BridgeMain.parse(args("gs://" + bucket + "/jobs").toArray(String[]::new), environment));
    assertTrue(e.getMessage().contains("gcloud projects describe"), e.getMessage());
  }

  @Test
  void aTeeOption_winsOverItsEnvironmentVariable() throws Exception {
    Bridge.Config config = BridgeMain.parse(args("gs://" + bucket + "/jobs", "--tee-option", "gcp.tee.zone=europe-west4-b")
        .toArray(String[]::new), environment);

    assertEquals("europe-west4-b", ((ConfidentialSpacePlatform) config.platform()).settings().zone());
  }

  @Test
  void aMissingSetting_namesTheVariableToSet() {
    environment.remove("DCR_GCP_TEE_SERVICE_ACCOUNT");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BridgeMain.parse(args("gs://" + bucket + "/jobs").toArray(String[]::new), environment));

    assertTrue(e.getMessage().contains("DCR_GCP_TEE_SERVICE_ACCOUNT"), e.getMessage());
  }

  @Test
  void aMissingRegistry_namesTheVariableToSet() {
    environment.remove("DCR_GCP_REGISTRY");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BridgeMain.parse(args("gs://" + bucket + "/jobs").toArray(String[]::new), environment));

    assertTrue(e.getMessage().contains("DCR_GCP_REGISTRY"), e.getMessage());
  }

  @Test
  void aBucketSettingOtherThanTheStorages_isRefused() {
    environment.put("DCR_GCP_BUCKET", "another-bucket");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BridgeMain.parse(args("gs://" + bucket + "/jobs").toArray(String[]::new), environment));

    assertTrue(e.getMessage().contains("another-bucket") && e.getMessage().contains("same bucket"), e.getMessage());
  }

  @Test
  void aMalformedStorageUri_isRefusedWithTheFormToUse() {
    for (String storage : List.of("gs://Not_A_Bucket!/jobs", "gs://", "gs://bucket/../jobs")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> BridgeMain.parse(args(storage).toArray(String[]::new), environment), storage);

      assertTrue(e.getMessage().startsWith("--storage") && e.getMessage().contains("gs://BUCKET/PREFIX"), e.getMessage());
    }
  }

  @Test
  void teeGcp_onLocalStorage_asksForABucket() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BridgeMain.parse(args(dir.resolve("storage").toString()).toArray(String[]::new), environment));

    assertTrue(e.getMessage().contains("--storage gs://BUCKET/PREFIX"), e.getMessage());
  }
}
