package dev.cleanroom.bridge.http;

import static dev.cleanroom.bridge.testing.BridgeFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.attestation.jwks.ArchivedJwks;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.report.AttestationReport;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.attestation.simulator.SimulatorIssuer;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import dev.cleanroom.attestation.token.TokenRequest;
import dev.cleanroom.attestation.trust.DeploymentTrust;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.service.sql.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An auditor uploads a report to the bridge's check ({@code POST v1/verifications}). The bridge vouches for a report
 * only with keys it fetched itself and only for the image it built for the job: a report that carries its own
 * simulator's keys, or names another image with the real job id, is refused.
 */
class UploadedReportTest {
  @TempDir Path dir;

  /** A report of {@code id} with the manifest's image set to {@code imageDigest}, signed by {@code keys}, archiving them. */
  private static byte[] forgedReport(BridgeFixture bridge, String id, String imageDigest, SimulatorKeys keys) throws Exception {
    AttestationReport stored = AttestationReport.fromBytes(bridge.get("pat", "v1/jobs/" + id + "/report").body());
    JobManifest m = stored.manifest();
    JobManifest manifest = new JobManifest(m.jobId(), m.notebook(), imageDigest, m.inputs(), m.outputs(),
        m.executedNotebook(), m.startedAt(), m.finishedAt(), m.outcome());
    DeploymentTrust trust = DeploymentTrust.read(bridge.trustFile());
    Instant issued = m.finishedAt().plusSeconds(2);
    String token = new SimulatorIssuer(keys, Clock.fixed(issued, java.time.ZoneOffset.UTC)).issue(
        TokenRequest.oidc(trust.audience(), manifest.nonce().hex()),
        SimulatedWorkload.of(bridge.platform().imageBuild().folder().resolve(id).toString(), imageDigest)
            .withContainer("", Map.of(JobManifest.JOB_ID_VARIABLE, id), List.of()));
    ArchivedJwks archive = keys.archive(issued);
    return new AttestationReport(manifest, token, Optional.of(archive)).toBytes();
  }

  private static JsonNode upload(BridgeFixture bridge, byte[] report) throws Exception {
    return json(bridge.send("POST", "v1/verifications", "audrey", "application/json",
        java.net.http.HttpRequest.BodyPublishers.ofByteArray(report)));
  }

  /** A finished job its provider has released: only then does the bridge compare an auditor's upload with its files. */
  private static String releasedJob(BridgeFixture bridge) throws Exception {
    String id = bridge.finishedJob();
    assertEquals(200, bridge.post("pat", "v1/jobs/" + id + "/release", "{}").statusCode());
    return id;
  }

  private static String check(JsonNode verification, String name) {
    for (JsonNode c : verification.path("checks")) {
      if (c.path("check").asText().equals(name) && !c.path("passed").asBoolean()) {
        return c.path("reason").asText();
      }
    }
    return "";
  }

  @Test
  void aReportSignedByAnotherSimulatorCarryingItsKeys_isRefused() throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, TestDatabase.SQLITE)) {
      String id = bridge.finishedJob();
      String built = bridge.bridge().store().find(id).orElseThrow().imageDigest().orElseThrow();
      JsonNode verification = upload(bridge, forgedReport(bridge, id, built, SimulatorKeys.ephemeral()));
      assertFalse(verification.path("passed").asBoolean(), verification.toString());
      assertTrue(check(verification, "key").startsWith("no key "), verification.toString());
    }
  }

  @Test
  void aReportNamingAnotherImageThanTheJobsBuild_isRefused() throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, TestDatabase.SQLITE)) {
      String id = releasedJob(bridge);
      String other = "sha256:" + "cd".repeat(32);
      JsonNode verification = upload(bridge, forgedReport(bridge, id, other, bridge.platform().simulatorKeys()));
      assertFalse(verification.path("passed").asBoolean(), verification.toString());
      assertTrue(check(verification, "image_digest").contains("not the image this bridge built for job " + id),
          verification.toString());
    }
  }

  @Test
  void theGenuineReport_passesWithTheBridgesOwnKeys() throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, TestDatabase.SQLITE)) {
      String id = releasedJob(bridge);
      JsonNode verification = upload(bridge, bridge.get("pat", "v1/jobs/" + id + "/report").body());
      assertTrue(verification.path("passed").asBoolean(), verification.toString());
      assertTrue(verification.path("keySource").asText().startsWith("the offline JWKS"), verification.toString());
    }
  }

  @Test
  void theTrustFile_isServedWithoutAuthentication_asTheBridgeWroteIt() throws Exception {
    try (BridgeFixture bridge = BridgeFixture.start(dir, TestDatabase.SQLITE)) {
      var served = bridge.get(null, "trust.json");
      assertEquals(200, served.statusCode());
      DeploymentTrust trust = DeploymentTrust.parse(served.body(), "the bridge");
      assertEquals(DeploymentTrust.read(bridge.trustFile()).toJson(), trust.toJson());
      assertEquals("urn:cleanroom:deployment:test-fake", trust.audience());
      assertTrue(trust.inputs().containsKey("insurance/commitment.key"), trust.inputs().toString());
    }
  }
}
