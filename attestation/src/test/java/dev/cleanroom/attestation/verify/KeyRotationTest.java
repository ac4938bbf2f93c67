package dev.cleanroom.attestation.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.TestJobs;
import dev.cleanroom.attestation.jwks.JwksFetcher;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.simulator.OidcServer;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.attestation.simulator.SimulatorIssuer;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import dev.cleanroom.attestation.token.TokenRequest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A report made before the issuer rotated its key and retired the old one. */
class KeyRotationTest {
  private static final Instant NOW = TestJobs.ISSUED.plusSeconds(60);

  @TempDir Path dir;
  private SimulatorKeys keys;
  private String oldKeyId;
  private JobFolder folder;
  /** The issuer's keys as the auditor archived them when the job finished, before the rotation. */
  private dev.cleanroom.attestation.jwks.ArchivedJwks auditorsArchive;

  @BeforeEach
  void reportThenRotate() throws Exception {
    keys = SimulatorKeys.loadOrCreate(dir.resolve("keys/simulator-keys.json"));
    oldKeyId = keys.activeKeyId();
    Path job = dir.resolve("job");
    JobManifest manifest = TestJobs.writeJob(job);
    String token = new SimulatorIssuer(keys, TestJobs.clockAt(TestJobs.ISSUED))
        .issue(TokenRequest.oidc(TokenRequest.DEFAULT_AUDIENCE, manifest.nonce().hex()), TestJobs.simulatedWorkload(manifest));
    try (OidcServer oidc = OidcServer.start(keys, 0)) {
      folder = TestJobs.writeReport(job, manifest, token,
          Optional.of(JwksFetcher.create(TestJobs.clockAt(NOW)).fetch(oidc.discoveryUrl(), SimulatorIssuer.ISSUER)));
    }
    auditorsArchive = keys.archive(NOW);
    keys.rotate();
    keys.retire(oldKeyId);
  }

  private static VerificationOptions.Builder options() {
    return VerificationOptions.builder().anyDeployment().clock(TestJobs.clockAt(NOW)).allowSimulator();
  }

  @Test
  void oldReport_verifiesAgainstKeysTheAuditorArchived() throws Exception {
    Verification v = AttestationVerifier.create().verify(folder, options().offlineKeys(auditorsArchive).build());
    assertTrue(v.passed(), () -> v.failures().toString());
    assertTrue(v.check(CheckName.KEY).orElseThrow().reason().startsWith("key " + oldKeyId + " from the offline JWKS"),
        v.check(CheckName.KEY).orElseThrow().reason());
  }

  @Test
  void oldReport_itsOwnArchiveAlone_isNotTrusted() throws Exception {
    Verification v = AttestationVerifier.create().verify(folder, options().archivedKeys().build());
    assertEquals(Set.of(CheckName.KEY, CheckName.SIGNATURE), v.failures().stream().map(Check::name).collect(Collectors.toSet()));
  }

  @Test
  void oldReport_againstTheLiveJwksWithoutItsKey_failsClearly() throws Exception {
    try (OidcServer oidc = OidcServer.start(keys, 0)) {
      Verification v = AttestationVerifier.create().verify(folder, options().liveKeys(oidc.discoveryUrl()).build());
      assertEquals(Set.of(CheckName.KEY, CheckName.SIGNATURE), v.failures().stream().map(Check::name).collect(Collectors.toSet()));
      String reason = v.check(CheckName.KEY).orElseThrow().reason();
      assertTrue(reason.startsWith("no key " + oldKeyId + " in the live JWKS of " + SimulatorIssuer.ISSUER), reason);
      assertTrue(reason.endsWith(" (" + oidc.discoveryUrl().resolve("/jwks") + ")"), reason);
    }
  }

  @Test
  void reloadedKeyStore_stillSignsWithTheNewKeyOnly() throws Exception {
    SimulatorKeys reloaded = SimulatorKeys.loadOrCreate(dir.resolve("keys/simulator-keys.json"));
    assertEquals(keys.keyIds(), reloaded.keyIds());
    assertEquals(1, reloaded.keyIds().size());
  }
}
