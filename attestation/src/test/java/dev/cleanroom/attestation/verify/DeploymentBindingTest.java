package dev.cleanroom.attestation.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.cleanroom.attestation.TestJobs;
import dev.cleanroom.attestation.claims.ConfidentialSpace;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.simulator.SimulatorIssuer;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import dev.cleanroom.attestation.token.TokenRequest;
import dev.cleanroom.attestation.trust.DeploymentTrust;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A genuine token proves something only for the deployment it is checked against: each test is a correctly signed
 * token (Google-shaped, or the simulator's) that some other deployment could obtain, and the trust file refuses it.
 */
class DeploymentBindingTest {
  private static final Instant NOW = TestJobs.ISSUED.plusSeconds(60);
  private static final String AUDIENCE = "urn:cleanroom:deployment:acme-7f3a";
  private static final SimulatorKeys SIMULATOR = SimulatorKeys.ephemeral();
  private static final SimulatorKeys OTHER_SIMULATOR = SimulatorKeys.ephemeral();

  @TempDir Path dir;
  private JobManifest manifest;

  @BeforeEach
  void writeJob() throws Exception {
    manifest = TestJobs.writeJob(dir);
  }

  /** The trust file acme publishes: its project, workload account, audience, repository and input commitments. */
  private DeploymentTrust trust(Optional<dev.cleanroom.attestation.jwks.ArchivedJwks> simulatorKeys) {
    boolean simulated = simulatorKeys.isPresent();
    return new DeploymentTrust("acme", AUDIENCE,
        simulated ? SimulatorIssuer.PROJECT_ID : "cleanroom", simulated ? SimulatorIssuer.PROJECT_NUMBER : "123456789012",
        List.of(simulated ? SimulatorIssuer.SERVICE_ACCOUNT : "workload@cleanroom.iam.gserviceaccount.com"),
        List.of(simulated ? "oci" : "us-docker.pkg.dev/cleanroom/jobs"), List.of(), new TreeMap<>(manifest.inputs()),
        simulatorKeys);
  }

  private Map<String, Object> genuineClaims() {
    Map<String, Object> claims = TestJobs.googleClaims(manifest);
    claims.put("aud", AUDIENCE);
    return claims;
  }

  private Verification verifyGoogle(Map<String, Object> claims) throws Exception {
    return verifyGoogle(claims, trust(Optional.empty()));
  }

  private Verification verifyGoogle(Map<String, Object> claims, DeploymentTrust trust) throws Exception {
    TestJobs.writeReport(dir, manifest, TestJobs.sign(claims, TestJobs.googleKey()), Optional.of(TestJobs.googleJwks()));
    return AttestationVerifier.create().verify(JobFolder.at(dir), VerificationOptions.builder().clock(TestJobs.clockAt(NOW))
        .offlineKeys(TestJobs.googleJwks()).trust(trust).build());
  }

  private static Set<CheckName> failed(Verification v) {
    return v.failures().stream().map(Check::name).collect(Collectors.toSet());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> submod(Map<String, Object> claims, String name) {
    Map<String, Object> submods = (Map<String, Object>) claims.get("submods");
    Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) submods.get(name));
    submods.put(name, copy);
    return copy;
  }

  @Test
  void genuineReportOfTheDeployment_passesAndNamesIt() throws Exception {
    Verification v = verifyGoogle(genuineClaims());
    assertTrue(v.passed(), () -> v.failures().toString());
    assertEquals(Optional.of("acme"), v.orThrow().deployment());
    assertEquals("1 input(s) match the published commitments", v.check(CheckName.INPUTS).orElseThrow().reason());
  }

  @Test
  void tokenFromAnotherProject_isRefused() throws Exception {
    Map<String, Object> claims = genuineClaims();
    submod(claims, "gce").put("project_id", "attacker");
    Verification v = verifyGoogle(claims);
    assertEquals(Set.of(CheckName.PROJECT), failed(v));
    assertTrue(v.check(CheckName.PROJECT).orElseThrow().reason().startsWith("the VM ran in project attacker"));
  }

  @Test
  void tokenFromAnotherProjectNumber_isRefused() throws Exception {
    Map<String, Object> claims = genuineClaims();
    submod(claims, "gce").put("project_number", "999");
    assertEquals(Set.of(CheckName.PROJECT), failed(verifyGoogle(claims)));
  }

  @Test
  void tokenOfAnotherServiceAccount_isRefused() throws Exception {
    Map<String, Object> claims = genuineClaims();
    claims.put("google_service_accounts", List.of("attacker@attacker.iam.gserviceaccount.com"));
    assertEquals(Set.of(CheckName.SERVICE_ACCOUNT), failed(verifyGoogle(claims)));
  }

  @Test
  void tokenOfAContainerThatRanAnotherJob_isRefused() throws Exception {
    Map<String, Object> claims = genuineClaims();
    submod(claims, "container").put("env", Map.of(JobManifest.JOB_ID_VARIABLE, "job-7"));
    Verification v = verifyGoogle(claims);
    assertEquals(Set.of(CheckName.JOB_ID), failed(v));
    assertEquals("the container ran job job-7, the manifest is for job-42", v.check(CheckName.JOB_ID).orElseThrow().reason());
  }

  @Test
  void tokenWithoutTheJobIdInItsEnvironment_isRefused() throws Exception {
    Map<String, Object> claims = genuineClaims();
    submod(claims, "container").put("env", Map.of("PATH", "/bin"));
    assertEquals(Set.of(CheckName.JOB_ID), failed(verifyGoogle(claims)));
  }

  @Test
  void imageFromAnotherRepository_isRefused() throws Exception {
    Map<String, Object> claims = genuineClaims();
    submod(claims, "container").put("image_reference", "us-docker.pkg.dev/cleanroom/jobs-evil/job-42@" + manifest.imageDigest());
    assertEquals(Set.of(CheckName.IMAGE_REFERENCE), failed(verifyGoogle(claims)));
  }

  /** A genuine token over the job's manifest with {@code inputs} in place of the ones the trust file publishes. */
  private Verification verifyWithInputs(TreeMap<String, Sha256> inputs) throws Exception {
    DeploymentTrust published = trust(Optional.empty());
    manifest = new JobManifest(manifest.jobId(), manifest.notebook(), manifest.imageDigest(), inputs, manifest.outputs(),
        manifest.executedNotebook(), manifest.startedAt(), manifest.finishedAt(), manifest.outcome());
    return verifyGoogle(genuineClaims(), published);
  }

  @Test
  void reportWhoseInputsAreNotTheCommittedOnes_isRefused() throws Exception {
    // The real image, rebuilt and run elsewhere with the real job id, on made-up rows: the commitments differ.
    Verification v = verifyWithInputs(new TreeMap<>(Map.of("insurance/real.csv",
        Sha256.of("made up".getBytes(StandardCharsets.UTF_8)))));
    assertEquals(Set.of(CheckName.INPUTS), failed(v));
    assertTrue(v.check(CheckName.INPUTS).orElseThrow().reason().startsWith("insurance/real.csv is not the data its provider committed to"));
  }

  @Test
  void reportReadingAnInputTheTrustFileDoesNotList_isRefused() throws Exception {
    TreeMap<String, Sha256> more = new TreeMap<>(manifest.inputs());
    more.put("other/real.csv", Sha256.of("x".getBytes(StandardCharsets.UTF_8)));
    assertEquals(Set.of(CheckName.INPUTS), failed(verifyWithInputs(more)));
  }

  @Test
  void tokenForAForeignAudience_isRefused() throws Exception {
    // Anyone's TEE could ask for the old public audience; the deployment's own is not that constant.
    Map<String, Object> claims = genuineClaims();
    claims.put("aud", TokenRequest.DEFAULT_AUDIENCE);
    assertEquals(Set.of(CheckName.AUDIENCE), failed(verifyGoogle(claims)));
  }

  @Test
  void reportWhoseOnlyKeysAreItsOwnArchive_isRefused() throws Exception {
    // Signed by a key only the report vouches for; Google's live set (unreachable here, as offline) does not hold it.
    TestJobs.writeReport(dir, manifest, TestJobs.sign(genuineClaims(), TestJobs.otherKey()),
        Optional.of(TestJobs.jwksOf(TestJobs.otherKey())));
    Verification v = AttestationVerifier.create().verify(JobFolder.at(dir), VerificationOptions.builder()
        .clock(TestJobs.clockAt(NOW)).archivedKeys().trust(trust(Optional.empty())).build());
    assertEquals(Set.of(CheckName.KEY, CheckName.SIGNATURE), failed(v));
    assertTrue(v.check(CheckName.KEY).orElseThrow().reason().startsWith("the report's archived JWKS is evidence, not a trust root"),
        v.check(CheckName.KEY).orElseThrow().reason());
  }

  private void simulatedReport(SimulatorKeys signer) throws Exception {
    String token = new SimulatorIssuer(signer, TestJobs.clockAt(TestJobs.ISSUED))
        .issue(TokenRequest.oidc(AUDIENCE, manifest.nonce().hex()), TestJobs.simulatedWorkload(manifest));
    TestJobs.writeReport(dir, manifest, token, Optional.of(signer.archive(NOW)));
  }

  private Verification verifySimulated(VerificationOptions.Builder options) throws Exception {
    return AttestationVerifier.create().verify(JobFolder.at(dir),
        options.clock(TestJobs.clockAt(NOW)).allowSimulator().trust(trust(Optional.of(SIMULATOR.archive(NOW)))).build());
  }

  @Test
  void simulatedReport_verifiesWithTheTrustFilesSimulatorKeys() throws Exception {
    simulatedReport(SIMULATOR);
    Verification v = verifySimulated(VerificationOptions.builder());
    assertTrue(v.passed(), () -> v.failures().toString());
    assertEquals("the simulator keys of acme's trust file", v.keySource());
  }

  @Test
  void simulatedReportOfAnotherSimulator_carryingItsOwnKeys_isRefused() throws Exception {
    // Anyone can run a simulator and archive its keys in the report; only the deployment's keys count.
    simulatedReport(OTHER_SIMULATOR);
    assertEquals(Set.of(CheckName.KEY, CheckName.SIGNATURE), failed(verifySimulated(VerificationOptions.builder())));
    assertEquals(Set.of(CheckName.KEY, CheckName.SIGNATURE), failed(verifySimulated(VerificationOptions.builder().archivedKeys())));
  }

  @Test
  void archivedKeys_countWhereTheTrustedSetHoldsThem() throws Exception {
    simulatedReport(SIMULATOR);
    Verification v = verifySimulated(VerificationOptions.builder().archivedKeys());
    assertTrue(v.passed(), () -> v.failures().toString());
    assertEquals("the report's archived keys that are also in the simulator keys of acme's trust file", v.keySource());
  }

  @Test
  void simulatedReportWithoutATrustFile_doesNotTrustItsOwnArchive() throws Exception {
    simulatedReport(OTHER_SIMULATOR);
    Verification v = AttestationVerifier.create().verify(JobFolder.at(dir), VerificationOptions.builder()
        .clock(TestJobs.clockAt(NOW)).allowSimulator().anyDeployment().expectAudience(AUDIENCE).build());
    assertEquals(Set.of(CheckName.KEY, CheckName.SIGNATURE), failed(v));
  }

  @Test
  void discoveryDocumentNamingGooglesIssuer_isNotTrusted() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    serve(server, "/discovery", "{\"issuer\":\"" + ConfidentialSpace.ISSUER + "\",\"jwks_uri\":\"" + base + "/keys\"}");
    serve(server, "/keys", TestJobs.jwksOf(TestJobs.otherKey()).json());
    server.start();
    try {
      TestJobs.writeReport(dir, manifest, TestJobs.sign(genuineClaims(), TestJobs.otherKey()), Optional.empty());
      Verification v = AttestationVerifier.create().verify(JobFolder.at(dir), VerificationOptions.builder()
          .clock(TestJobs.clockAt(NOW)).liveKeys(URI.create(base + "/discovery")).trust(trust(Optional.empty())).build());
      assertEquals(Set.of(CheckName.KEY, CheckName.SIGNATURE), failed(v));
      assertTrue(v.check(CheckName.KEY).orElseThrow().reason().startsWith("Google's keys are read only from its own discovery document"));
    } finally {
      server.stop(0);
    }
  }

  private static void serve(HttpServer server, String path, String body) {
    server.createContext(path, exchange -> {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
  }

  @Test
  void options_refuseToGuessTheDeployment() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VerificationOptions.builder().build());
    assertTrue(e.getMessage().contains("--trust FILE"));
    assertThrows(IllegalArgumentException.class,
        () -> VerificationOptions.builder().trust(trust(Optional.empty())).expectAudience("x").build());
  }

  @Test
  void anyDeployment_isSaidInTheResult() throws Exception {
    TestJobs.googleJob(dir);
    Verification v = AttestationVerifier.create().verify(JobFolder.at(dir), VerificationOptions.builder()
        .clock(TestJobs.clockAt(NOW)).offlineKeys(TestJobs.googleJwks()).anyDeployment().build());
    assertTrue(v.passed(), () -> v.failures().toString());
    assertFalse(v.orThrow().deployment().isPresent());
    assertTrue(v.check(CheckName.PROJECT).isEmpty());
  }
}
