package dev.cleanroom.bridge.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GcpConfigTest {
  private static final Map<String, String> MINIMAL = Map.of(
      "gcp.project", "clean-room-prod",
      "gcp.bucket", "clean-room-prod-jobs",
      "gcp.tee.zone", "europe-west4-a",
      "gcp.tee.service-account", "cs-workload@clean-room-prod.iam.gserviceaccount.com");

  @Test
  void confidentialSpace_fromTheRequiredKeys_hasTheDocumentedDefaults() {
    ConfidentialSpaceSettings settings = GcpConfig.from(MINIMAL).confidentialSpace();

    assertEquals(ConfidentialSpaceSettings.builder("clean-room-prod", "europe-west4-a",
        "cs-workload@clean-room-prod.iam.gserviceaccount.com").build(), settings);
    assertEquals(ConfidentialType.TDX, settings.confidentialType());
    assertEquals("c3-standard-4", settings.machineType());
    assertFalse(settings.externalIp());
    assertFalse(settings.debugAllowed());
    assertEquals(ConfidentialSpaceSettings.PRODUCTION_FAMILY, settings.image());
  }

  @Test
  void confidentialSpace_everyKey_isRead() {
    Map<String, String> values = new LinkedHashMap<>(MINIMAL);
    values.put("gcp.tee.confidential-type", "sev");
    values.put("gcp.tee.machine-type", "n2d-standard-8");
    values.put("gcp.tee.network", "global/networks/clean-room");
    values.put("gcp.tee.subnetwork", "regions/europe-west4/subnetworks/tee");
    values.put("gcp.tee.external-ip", "true");
    values.put("gcp.tee.boot-disk-gb", "64");
    values.put("gcp.tee.image", "projects/confidential-space-images/global/images/confidential-space-250301");
    values.put("gcp.tee.debug-image", "projects/confidential-space-images/global/images/confidential-space-debug-250301");
    values.put("gcp.tee.debug-allowed", "true");
    values.put("gcp.tee.run-grace", "PT30M");

    ConfidentialSpaceSettings settings = GcpConfig.from(values).confidentialSpace();

    assertEquals(new ConfidentialSpaceSettings("clean-room-prod", "europe-west4-a", "n2d-standard-8",
        ConfidentialType.SEV, "cs-workload@clean-room-prod.iam.gserviceaccount.com", "global/networks/clean-room",
        Optional.of("regions/europe-west4/subnetworks/tee"), true, 64,
        "projects/confidential-space-images/global/images/confidential-space-250301",
        "projects/confidential-space-images/global/images/confidential-space-debug-250301", true,
        Duration.ofMinutes(30), Duration.ofMinutes(5)), settings);
  }

  @Test
  void from_environmentNames_areTheSameKeys() {
    GcpConfig config = GcpConfig.from(Map.of(
        "DCR_GCP_PROJECT", "clean-room-prod",
        "DCR_GCP_BUCKET", "clean-room-prod-jobs",
        "DCR_GCP_STORAGE_URL_SIGNER", "url-signer@clean-room-prod.iam.gserviceaccount.com",
        "DCR_GCP_REGISTRY", "europe-west4-docker.pkg.dev/clean-room-prod/cleanroom",
        "DCR_GCP_TEE_MACHINE_TYPE", "c3-standard-8",
        "PATH", "/usr/bin",
        "DCR_CACHE", "/root/.cache/dcr"));

    assertEquals("clean-room-prod", config.project());
    assertEquals("clean-room-prod-jobs", config.bucket());
    assertEquals(Optional.of("url-signer@clean-room-prod.iam.gserviceaccount.com"), config.urlSigner());
    assertEquals(Optional.of(ArtifactRegistry.parse("europe-west4-docker.pkg.dev/clean-room-prod/cleanroom")),
        config.registry());
    assertEquals("DCR_GCP_TEE_MACHINE_TYPE", GcpConfig.environmentName(GcpConfig.MACHINE_TYPE));
  }

  @Test
  void from_dottedKey_winsOverItsEnvironmentName() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("gcp.project", "from-file");
    values.put("DCR_GCP_PROJECT", "from-environment");

    assertEquals("from-file", GcpConfig.from(values).project());
  }

  @Test
  void from_misspeltKey_isRefusedWithTheKnownKeys() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GcpConfig.from(Map.of("gcp.tee.machinetype", "c3-standard-8")));

    assertTrue(e.getMessage().contains("'gcp.tee.machinetype'"), e.getMessage());
    assertTrue(e.getMessage().contains("gcp.tee.machine-type"), e.getMessage());
  }

  @Test
  void missingRequiredKey_namesItAndItsEnvironmentForm() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GcpConfig.from(Map.of("gcp.project", "p")).confidentialSpace());

    assertTrue(e.getMessage().startsWith("gcp.tee.zone (or DCR_GCP_TEE_ZONE) is not set"), e.getMessage());
  }

  @Test
  void badValues_sayWhatIsExpected() {
    Map<String, String> values = new LinkedHashMap<>(MINIMAL);
    values.put("gcp.tee.external-ip", "yes");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GcpConfig.from(values).confidentialSpace());
    assertEquals("gcp.tee.external-ip is 'yes': use true or false", e.getMessage());

    values.put("gcp.tee.external-ip", "false");
    values.put("gcp.tee.confidential-type", "SNP");
    e = assertThrows(IllegalArgumentException.class, () -> GcpConfig.from(values).confidentialSpace());
    assertEquals("'SNP' is not a confidential type: use TDX or SEV", e.getMessage());

    values.remove("gcp.tee.confidential-type");
    values.put("gcp.tee.zone", "europe-west4");
    e = assertThrows(IllegalArgumentException.class, () -> GcpConfig.from(values).confidentialSpace());
    assertTrue(e.getMessage().contains("is not a zone like us-central1-a"), e.getMessage());

    values.put("gcp.tee.zone", "europe-west4-a");
    values.put("gcp.tee.service-account", "cs-workload");
    e = assertThrows(IllegalArgumentException.class, () -> GcpConfig.from(values).confidentialSpace());
    assertTrue(e.getMessage().contains("is not a service account email"), e.getMessage());
  }

  @Test
  void dataAccess_isTheIdentityProviderAsTheStsAudience_andTheOptionalReader() {
    Map<String, String> values = new LinkedHashMap<>(MINIMAL);
    values.put("DCR_GCP_TEE_IDENTITY_PROVIDER",
        "projects/123456789012/locations/global/workloadIdentityPools/dcr-tee/providers/attestation-verifier");
    values.put("gcp.tee.data-reader", "reader@insurer-data.iam.gserviceaccount.com");

    assertEquals(Optional.of(new TeeDataAccess("//iam.googleapis.com/projects/123456789012/locations/global/"
        + "workloadIdentityPools/dcr-tee/providers/attestation-verifier",
        Optional.of("reader@insurer-data.iam.gserviceaccount.com"))), GcpConfig.from(values).dataAccess());
    assertEquals(Optional.empty(), GcpConfig.from(MINIMAL).dataAccess());
  }

  @Test
  void dataAccess_aProjectIdInsteadOfItsNumber_orAReaderWithoutAProvider_isRefused() {
    Map<String, String> byId = new LinkedHashMap<>(MINIMAL);
    byId.put("gcp.tee.identity-provider", "projects/insurer-data/locations/global/workloadIdentityPools/dcr-tee/providers/x");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GcpConfig.from(byId).dataAccess());
    assertTrue(e.getMessage().contains("the project number"), e.getMessage());

    Map<String, String> readerOnly = new LinkedHashMap<>(MINIMAL);
    readerOnly.put("gcp.tee.data-reader", "reader@insurer-data.iam.gserviceaccount.com");
    e = assertThrows(IllegalArgumentException.class, () -> GcpConfig.from(readerOnly).dataAccess());
    assertTrue(e.getMessage().contains("gcp.tee.identity-provider is not"), e.getMessage());
  }
}
