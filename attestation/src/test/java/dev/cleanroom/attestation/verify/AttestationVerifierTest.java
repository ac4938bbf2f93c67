package dev.cleanroom.attestation.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.TestJobs;
import dev.cleanroom.attestation.jwks.ArchivedJwks;
import dev.cleanroom.attestation.jwks.JwksFetcher;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.report.AttestationReport;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.simulator.OidcServer;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.attestation.simulator.SimulatorIssuer;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import dev.cleanroom.attestation.token.LauncherSocketClient;
import dev.cleanroom.attestation.token.TeeServer;
import dev.cleanroom.attestation.token.TokenRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttestationVerifierTest {
  private static final Instant NOW = TestJobs.ISSUED.plusSeconds(60);
  private static final SimulatorKeys SIMULATOR_KEYS = SimulatorKeys.ephemeral();

  @TempDir Path dir;
  private JobManifest manifest;

  @BeforeEach
  void writeJob() throws Exception {
    manifest = TestJobs.writeJob(dir);
  }

  private static Set<CheckName> failed(Verification v) {
    return v.failures().stream().map(Check::name).collect(Collectors.toSet());
  }

  private static VerificationOptions.Builder at(Instant now) {
    return VerificationOptions.builder().anyDeployment().clock(TestJobs.clockAt(now));
  }

  private Verification verify(VerificationOptions options) throws Exception {
    return AttestationVerifier.create().verify(JobFolder.at(dir), options);
  }

  /**
   * The simulator's whole path, as the runc simulator and the launcher will run it: the launcher asks the
   * token server on the unix socket for a token over the manifest, the bridge archives the issuer's JWKS
   * from its discovery document, and the folder gets its report.
   */
  private JobFolder simulatedRun(Path socket) throws Exception {
    SimulatorIssuer issuer = new SimulatorIssuer(SIMULATOR_KEYS, TestJobs.clockAt(TestJobs.ISSUED));
    String token;
    try (TeeServer server = TeeServer.start(socket, issuer.forWorkload(TestJobs.simulatedWorkload(manifest)))) {
      token = new LauncherSocketClient(socket).token(TokenRequest.oidc(TokenRequest.DEFAULT_AUDIENCE, manifest.nonce().hex()));
    }
    ArchivedJwks jwks;
    try (OidcServer oidc = OidcServer.start(SIMULATOR_KEYS, 0)) {
      jwks = JwksFetcher.create(TestJobs.clockAt(NOW)).fetch(oidc.discoveryUrl(), SimulatorIssuer.ISSUER);
    }
    return TestJobs.writeReport(dir, manifest, token, Optional.of(jwks));
  }

  /** A simulator token over this manifest, issued straight from the issuer (no socket). */
  private String simulatedToken(SimulatedWorkload workload) {
    return new SimulatorIssuer(SIMULATOR_KEYS, TestJobs.clockAt(TestJobs.ISSUED))
        .issue(TokenRequest.oidc(TokenRequest.DEFAULT_AUDIENCE, manifest.nonce().hex()), workload);
  }

  @Test
  void simulatedRun_overTheUnixSocket_passesWithAllowSimulator(@TempDir Path run) throws Exception {
    simulatedRun(run.resolve("teeserver.sock"));
    Verification v = verify(at(NOW).allowSimulator().offlineKeys(SIMULATOR_KEYS.archive(NOW)).build());
    assertEquals(Set.of(), failed(v), () -> v.failures().toString());
    assertTrue(v.orThrow().simulated());
    assertEquals(manifest, v.orThrow().manifest());
    assertTrue(v.keySource().startsWith("the offline JWKS"), v.keySource());
  }

  @Test
  void auditorsCopy_withoutOutputs_passesAndListsTheBoundHashes(@TempDir Path run) throws Exception {
    simulatedRun(run.resolve("teeserver.sock"));
    deleteOutputs();
    Verification v = verify(at(NOW).allowSimulator().offlineKeys(SIMULATOR_KEYS.archive(NOW)).withoutOutputs().build());
    assertEquals(Set.of(), failed(v), () -> v.failures().toString());
    String reason = v.check(CheckName.OUTPUTS).orElseThrow().reason();
    assertTrue(reason.startsWith("not compared (without outputs)"), reason);
    assertTrue(reason.contains("outputs/model.txt sha256 " + manifest.outputs().get("outputs/model.txt").hex()), reason);
  }

  @Test
  void auditorsCopy_withoutTheOption_failsOnTheMissingOutputs(@TempDir Path run) throws Exception {
    simulatedRun(run.resolve("teeserver.sock"));
    deleteOutputs();
    assertEquals(Set.of(CheckName.OUTPUTS), failed(verify(at(NOW).allowSimulator().offlineKeys(SIMULATOR_KEYS.archive(NOW)).build())));
  }

  @Test
  void withoutOutputs_refusesAFolderHoldingSomeOfThem(@TempDir Path run) throws Exception {
    simulatedRun(run.resolve("teeserver.sock"));
    Files.delete(dir.resolve("outputs/model.txt"));
    Verification v = verify(at(NOW).allowSimulator().offlineKeys(SIMULATOR_KEYS.archive(NOW)).withoutOutputs().build());
    assertEquals(Set.of(CheckName.OUTPUTS), failed(v));
    assertTrue(v.check(CheckName.OUTPUTS).orElseThrow().reason().contains("verify without that option"));
  }

  /** What an auditor holds: the report and the notebook, none of the job's outputs. */
  private void deleteOutputs() throws Exception {
    Files.delete(dir.resolve("executed.ipynb"));
    Files.delete(dir.resolve("outputs/plots/fit.png"));
    Files.delete(dir.resolve("outputs/plots"));
    Files.delete(dir.resolve("outputs/model.txt"));
    Files.delete(dir.resolve("outputs"));
  }

  @Test
  void simulatedRun_strictVerification_refusesItAsSimulated(@TempDir Path run) throws Exception {
    simulatedRun(run.resolve("teeserver.sock"));
    Verification v = verify(at(NOW).build());
    assertEquals(Set.of(CheckName.KEY, CheckName.SIGNATURE, CheckName.ISSUER, CheckName.SOFTWARE, CheckName.HARDWARE), failed(v));
    assertEquals("the local simulator, not Google: a simulated run; pass --allow-simulator to accept it",
        v.check(CheckName.ISSUER).orElseThrow().reason());
    assertTrue(v.check(CheckName.SOFTWARE).orElseThrow().reason().startsWith("CLEANROOM_SIMULATOR: a simulated run"));
    AttestationException e = assertThrows(AttestationException.class, v::orThrow);
    assertEquals("verification_failed", e.code());
  }

  @Test
  void simulatedRun_strictWithTheSimulatorsKeysTrusted_isStillRefused(@TempDir Path run) throws Exception {
    simulatedRun(run.resolve("teeserver.sock"));
    Verification v = verify(at(NOW).offlineKeys(SIMULATOR_KEYS.archive(NOW)).build());
    assertEquals(Set.of(CheckName.ISSUER, CheckName.SOFTWARE, CheckName.HARDWARE), failed(v));
  }

  @Test
  void simulatedRun_withoutIsolation_needsItsHardwareModelAllowed(@TempDir Path run) throws Exception {
    String token = simulatedToken(
        TestJobs.simulatedWorkload(manifest).withIsolation(SimulatedWorkload.Isolation.PROCESS));
    TestJobs.writeReport(dir, manifest, token, Optional.of(SIMULATOR_KEYS.archive(NOW)));
    assertEquals(Set.of(CheckName.HARDWARE), failed(verify(at(NOW).allowSimulator().offlineKeys(SIMULATOR_KEYS.archive(NOW)).build())));
    assertTrue(verify(at(NOW).allowSimulator().offlineKeys(SIMULATOR_KEYS.archive(NOW))
        .allowHardwareModel("CLEANROOM_SIMULATED_PROCESS").build()).passed());
  }

  @Test
  void simulatedReportWithoutArchivedKeys_saysWhereToGetThem() throws Exception {
    String token = simulatedToken(TestJobs.simulatedWorkload(manifest));
    JobFolder.at(dir).writeLauncherFiles(manifest, token);
    Verification v = verify(at(NOW).allowSimulator().build());
    assertEquals(Set.of(CheckName.KEY, CheckName.SIGNATURE), failed(v));
    assertTrue(v.check(CheckName.KEY).orElseThrow().reason().endsWith("or --jwks FILE, never from the report"));
  }

  @Test
  void simulatedRun_liveKeysFromTheSimulatorsDiscovery_pass() throws Exception {
    String token = simulatedToken(TestJobs.simulatedWorkload(manifest));
    JobFolder.at(dir).writeLauncherFiles(manifest, token);
    try (OidcServer oidc = OidcServer.start(SIMULATOR_KEYS, 0)) {
      Verification v = verify(at(NOW).allowSimulator().liveKeys(oidc.discoveryUrl()).build());
      assertTrue(v.passed(), () -> v.failures().toString());
      assertTrue(v.keySource().startsWith("the live JWKS of " + SimulatorIssuer.ISSUER), v.keySource());
    }
  }

  @Test
  void googleReport_keysFromADiscoveryDocumentNotGooglesOwn_areRefused() throws Exception {
    TestJobs.googleJob(dir);
    Verification v = verify(at(NOW).liveKeys(java.net.URI.create("http://127.0.0.1:9/.well-known/openid-configuration")).build());
    assertEquals(Set.of(CheckName.KEY, CheckName.SIGNATURE), failed(v));
    assertTrue(v.check(CheckName.KEY).orElseThrow().reason().endsWith("--discovery is for a simulator's issuer"));
  }

  @Test
  void googleReport_archivedKeysAlone_areNotTrusted() throws Exception {
    // Google's live set is out of reach of a test (or, online, lacks the test's key): the archive alone proves nothing.
    TestJobs.googleJob(dir);
    Verification v = verify(at(NOW).archivedKeys().build());
    assertEquals(Set.of(CheckName.KEY, CheckName.SIGNATURE), failed(v));
    assertTrue(v.check(CheckName.KEY).orElseThrow().reason().startsWith("the report's archived JWKS is evidence, not a trust root: "));
  }

  @Test
  void nonce_asBareString_isAccepted() throws Exception {
    Map<String, Object> claims = TestJobs.googleClaims(manifest);
    claims.put("eat_nonce", manifest.nonce().hex());
    assertTrue(verifyGoogle(claims).check(CheckName.NONCE).orElseThrow().passed());
  }

  @Test
  void nonce_asArrayOfOne_isAccepted() throws Exception {
    Map<String, Object> claims = TestJobs.googleClaims(manifest);
    claims.put("eat_nonce", List.of(manifest.nonce().hex()));
    assertTrue(verifyGoogle(claims).check(CheckName.NONCE).orElseThrow().passed());
  }

  @Test
  void nonce_amongSeveral_isAccepted() throws Exception {
    Map<String, Object> claims = TestJobs.googleClaims(manifest);
    claims.put("eat_nonce", List.of("launcher-session-0001", manifest.nonce().hex()));
    assertTrue(verifyGoogle(claims).passed());
  }

  @Test
  void nonce_missing_isRefused() throws Exception {
    Map<String, Object> claims = TestJobs.googleClaims(manifest);
    claims.remove("eat_nonce");
    assertEquals("the token carries no eat_nonce", verifyGoogle(claims).check(CheckName.NONCE).orElseThrow().reason());
  }

  private Verification verifyGoogle(Map<String, Object> claims) throws Exception {
    return verifyGoogle(claims, at(NOW));
  }

  private Verification verifyGoogle(Map<String, Object> claims, VerificationOptions.Builder options) throws Exception {
    TestJobs.writeReport(dir, manifest, TestJobs.sign(claims, TestJobs.googleKey()), Optional.empty());
    return verify(options.offlineKeys(TestJobs.googleJwks()).build());
  }

  @Test
  void issuedSlightlyInTheFuture_passesWithinTheClockSkew() throws Exception {
    Verification v = verifyGoogle(TestJobs.googleClaims(manifest), at(TestJobs.ISSUED.minusSeconds(30)));
    assertTrue(v.passed(), () -> v.failures().toString());
  }

  @Test
  void issuedSlightlyInTheFuture_isRefusedWithoutClockSkew() throws Exception {
    Verification v = verifyGoogle(TestJobs.googleClaims(manifest),
        at(TestJobs.ISSUED.minusSeconds(30)).clockSkew(java.time.Duration.ZERO));
    assertEquals(Set.of(CheckName.NOT_BEFORE, CheckName.ISSUED_AT), failed(v));
  }

  @Test
  void expiredWithinTheClockSkew_passes() throws Exception {
    Verification v = verifyGoogle(TestJobs.googleClaims(manifest), at(TestJobs.ISSUED.plusSeconds(3600 + 30)));
    assertTrue(v.passed(), () -> v.failures().toString());
  }

  @Test
  void expiredBeyondTheClockSkew_isRefused() throws Exception {
    Verification v = verifyGoogle(TestJobs.googleClaims(manifest), at(TestJobs.ISSUED.plusSeconds(3600 + 61)));
    assertEquals(Set.of(CheckName.EXPIRY), failed(v));
  }

  @Test
  void tokenIssuedBeforeTheJobFinished_isRefused() throws Exception {
    Map<String, Object> claims = TestJobs.googleClaims(manifest);
    claims.put("iat", TestJobs.FINISHED.minusSeconds(300).getEpochSecond());
    Verification v = verifyGoogle(claims);
    assertEquals(Set.of(CheckName.ISSUED_AT), failed(v));
    assertEquals("issued at 2026-03-01T09:55:30Z, before the job finished at 2026-03-01T10:00:30Z",
        v.check(CheckName.ISSUED_AT).orElseThrow().reason());
  }

  @Test
  void archivedReportMonthsLater_passesWhenCheckedAsOfTheJobsEnd() throws Exception {
    Instant months = TestJobs.ISSUED.plus(java.time.Duration.ofDays(90));
    Verification v = verifyGoogle(TestJobs.googleClaims(manifest), at(months).checkTimesAtJobEnd());
    assertTrue(v.passed(), () -> v.failures().toString());
    assertTrue(v.check(CheckName.EXPIRY).orElseThrow().reason().endsWith("checked as of the job's end, not now"));
  }

  @Test
  void archivedReport_tokenIssuedLongAfterTheJob_isRefusedAsOfTheJobsEnd() throws Exception {
    Map<String, Object> claims = TestJobs.googleClaims(manifest);
    Instant late = TestJobs.FINISHED.plus(java.time.Duration.ofMinutes(20));
    claims.put("iat", late.getEpochSecond());
    claims.put("nbf", late.getEpochSecond());
    claims.put("exp", late.plusSeconds(3600).getEpochSecond());
    Verification v = verifyGoogle(claims, at(late.plus(java.time.Duration.ofDays(1))).checkTimesAtJobEnd());
    assertEquals(Set.of(CheckName.ISSUED_AT), failed(v));
  }

  @Test
  void rebuild_fromTheNotebookAndTheManifestsInputs_sameDigest_passes() throws Exception {
    TestJobs.googleJob(dir);
    var inputs = dev.cleanroom.attestation.report.JobFolder.at(dir).readReport().manifest().inputs();
    assertFalse(inputs.isEmpty());
    // The image carries the inputs it was approved for: a rebuild without them is another image.
    Verification v = verify(at(NOW).offlineKeys(TestJobs.googleJwks()).rebuildWith((notebook, approved) ->
        approved.equals(inputs) ? TestJobs.IMAGE_DIGEST : TestJobs.OTHER_IMAGE_DIGEST).build());
    assertTrue(v.check(CheckName.REBUILD).orElseThrow().passed());
    assertTrue(v.passed());
  }

  @Test
  void rebuild_otherDigest_isRefused() throws Exception {
    TestJobs.googleJob(dir);
    Verification v = verify(at(NOW).offlineKeys(TestJobs.googleJwks()).rebuildWith((notebook, inputs) -> TestJobs.OTHER_IMAGE_DIGEST).build());
    assertEquals(Set.of(CheckName.REBUILD), failed(v));
  }

  @Test
  void rebuild_notRequested_isNotListed() throws Exception {
    TestJobs.googleJob(dir);
    assertFalse(verify(at(NOW).offlineKeys(TestJobs.googleJwks()).build()).check(CheckName.REBUILD).isPresent());
  }

  @Test
  void verify_folderWithoutReport_throwsInvalidReport(@TempDir Path empty) {
    AttestationException e = assertThrows(AttestationException.class,
        () -> AttestationVerifier.create().verify(JobFolder.at(empty), VerificationOptions.builder().anyDeployment().build()));
    assertEquals("invalid_report", e.code());
  }

  @Test
  void verify_tokenThatIsNotAJwt_throwsInvalidReport() throws Exception {
    JobFolder folder = JobFolder.at(dir);
    folder.writeReport(new AttestationReport(manifest, "bm90.anNvbg.c2ln", Optional.empty()));
    AttestationException e = assertThrows(AttestationException.class,
        () -> AttestationVerifier.create().verify(folder, VerificationOptions.builder().anyDeployment().build()));
    assertEquals("the token does not decode as a JWT", e.getMessage());
  }
}
