package dev.cleanroom.attestation.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.cleanroom.attestation.TestJobs;
import dev.cleanroom.attestation.jwks.ArchivedJwks;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.attestation.report.JobFolder;
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

/**
 * The tamper suite of the stage-2 issue: a genuine-looking Google report passes strict verification, and
 * each single tampering is refused by the check that names it.
 */
class TamperTest {
  private static final Instant NOW = TestJobs.ISSUED.plusSeconds(60);

  @TempDir Path dir;
  private JobManifest manifest;

  @BeforeEach
  void writeJob() throws Exception {
    manifest = TestJobs.writeJob(dir);
  }

  private Verification verify(String token) throws Exception {
    return verify(token, TestJobs.googleJwks(), NOW);
  }

  private Verification verify(String token, ArchivedJwks keys, Instant now) throws Exception {
    JobFolder folder = TestJobs.writeReport(dir, manifest, token, Optional.of(keys));
    return AttestationVerifier.create().verify(folder,
        VerificationOptions.builder().anyDeployment().clock(TestJobs.clockAt(now)).offlineKeys(keys).build());
  }

  /** A genuine report whose folder is then changed by {@code tamper}, as someone could after the run. */
  private Verification verifyAfter(FolderChange tamper) throws Exception {
    JobFolder folder = TestJobs.writeReport(dir, manifest, genuine(claims()), Optional.of(TestJobs.googleJwks()));
    tamper.apply(folder);
    return AttestationVerifier.create().verify(folder,
        VerificationOptions.builder().anyDeployment().clock(TestJobs.clockAt(NOW)).offlineKeys(TestJobs.googleJwks()).build());
  }

  @FunctionalInterface
  private interface FolderChange {
    void apply(JobFolder folder) throws Exception;
  }

  private Map<String, Object> claims() {
    return TestJobs.googleClaims(manifest);
  }

  private String genuine(Map<String, Object> claims) {
    return TestJobs.sign(claims, TestJobs.googleKey());
  }

  private static Set<CheckName> failed(Verification v) {
    return v.failures().stream().map(Check::name).collect(Collectors.toSet());
  }

  private static String reason(Verification v, CheckName name) {
    return v.check(name).orElseThrow().reason();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> submod(Map<String, Object> claims, String name) {
    Map<String, Object> submods = new java.util.LinkedHashMap<>((Map<String, Object>) claims.get("submods"));
    Map<String, Object> copy = new java.util.LinkedHashMap<>((Map<String, Object>) submods.get(name));
    submods.put(name, copy);
    claims.put("submods", submods);
    return copy;
  }

  @Test
  void genuineReport_passesStrictVerification() throws Exception {
    Verification v = verify(genuine(claims()));
    assertEquals(Set.of(), failed(v), () -> v.failures().toString());
    assertFalse(v.orThrow().simulated());
    assertTrue(v.keySource().startsWith("the offline JWKS"), v.keySource());
  }

  @Test
  void algNone_isRefused() throws Exception {
    Verification v = verify(new PlainJWT(JWTClaimsSet.parse(claims())).serialize());
    assertTrue(failed(v).contains(CheckName.ALGORITHM));
    assertEquals("alg none: the token is unsigned", reason(v, CheckName.ALGORITHM));
    assertFalse(v.passed());
  }

  @Test
  void hs256SignedWithThePublicKeyAsSecret_isRefused() throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(TestJobs.KEY_ID).build(), JWTClaimsSet.parse(claims()));
    jwt.sign(new MACSigner(TestJobs.googleKey().toRSAPublicKey().getEncoded()));
    Verification v = verify(jwt.serialize());
    assertEquals(Set.of(CheckName.ALGORITHM, CheckName.SIGNATURE), failed(v));
    assertEquals("alg HS256 refused: only RS256 is accepted", reason(v, CheckName.ALGORITHM));
  }

  @Test
  void tokenSignedByAnotherKey_isRefused() throws Exception {
    Verification v = verify(TestJobs.sign(claims(), TestJobs.otherKey()));
    assertEquals(Set.of(CheckName.SIGNATURE), failed(v));
    assertEquals("the signature does not verify with key " + TestJobs.KEY_ID, reason(v, CheckName.SIGNATURE));
  }

  @Test
  void keyEmbeddedInTheHeader_isIgnored() throws Exception {
    RSAKey attacker = TestJobs.otherKey();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(TestJobs.KEY_ID).jwk(attacker.toPublicJWK()).build(),
        JWTClaimsSet.parse(claims()));
    jwt.sign(new RSASSASigner(attacker));
    assertEquals(Set.of(CheckName.SIGNATURE), failed(verify(jwt.serialize())));
  }

  @Test
  void wrongAudience_isRefused() throws Exception {
    Map<String, Object> c = claims();
    c.put("aud", "https://sts.googleapis.com");
    Verification v = verify(genuine(c));
    assertEquals(Set.of(CheckName.AUDIENCE), failed(v));
    assertTrue(reason(v, CheckName.AUDIENCE).startsWith("the token is for https://sts.googleapis.com, not urn:cleanroom:job-bridge"));
  }

  @Test
  void wrongIssuer_isRefused() throws Exception {
    Map<String, Object> c = claims();
    c.put("iss", "https://attestation.attacker.example");
    Verification v = verify(genuine(c));
    assertEquals(Set.of(CheckName.ISSUER), failed(v));
    assertEquals("issuer https://attestation.attacker.example is not https://confidentialcomputing.googleapis.com",
        reason(v, CheckName.ISSUER));
  }

  @Test
  void expiredToken_isRefused() throws Exception {
    Verification v = verify(genuine(claims()), TestJobs.googleJwks(), TestJobs.ISSUED.plusSeconds(2 * 3600));
    assertEquals(Set.of(CheckName.EXPIRY), failed(v));
    assertTrue(reason(v, CheckName.EXPIRY).startsWith("expired at 2026-03-01T11:00:33Z, 60 min ago"), reason(v, CheckName.EXPIRY));
  }

  @Test
  void nonceOfAnotherManifest_isRefused() throws Exception {
    Map<String, Object> c = claims();
    c.put("eat_nonce", Sha256.of(new byte[] {1, 2, 3}).hex());
    Verification v = verify(genuine(c));
    assertEquals(Set.of(CheckName.NONCE), failed(v));
    assertTrue(reason(v, CheckName.NONCE).endsWith("the token is for another manifest"), reason(v, CheckName.NONCE));
  }

  @Test
  void outputChangedAfterTheRun_isRefused() throws Exception {
    Verification v = verifyAfter(folder -> Files.writeString(folder.outputs().resolve("model.txt"), "charges = 0\n"));
    assertEquals(Set.of(CheckName.OUTPUTS), failed(v));
    assertTrue(reason(v, CheckName.OUTPUTS).startsWith("outputs/model.txt changed since the run"), reason(v, CheckName.OUTPUTS));
  }

  @Test
  void outputAddedAfterTheRun_isRefused() throws Exception {
    Verification v = verifyAfter(folder -> Files.writeString(folder.outputs().resolve("extra.csv"), "raw,rows\n"));
    assertEquals("outputs/extra.csv is not in the manifest", reason(v, CheckName.OUTPUTS));
  }

  @Test
  void outputRemovedAfterTheRun_isRefused() throws Exception {
    Verification v = verifyAfter(folder -> Files.delete(folder.outputs().resolve("plots/fit.png")));
    assertEquals("outputs/plots/fit.png is missing", reason(v, CheckName.OUTPUTS));
  }

  @Test
  void manifestImageDigestChanged_isRefused() throws Exception {
    String token = genuine(claims());
    manifest = new JobManifest(manifest.jobId(), manifest.notebook(), TestJobs.OTHER_IMAGE_DIGEST, manifest.inputs(),
        manifest.outputs(), manifest.executedNotebook(), manifest.startedAt(), manifest.finishedAt(), manifest.outcome());
    Verification v = verify(token);
    // The edited manifest no longer hashes to the nonce either: both checks say so.
    assertEquals(Set.of(CheckName.IMAGE_DIGEST, CheckName.NONCE), failed(v));
    assertEquals("the token attests image sha256:abababababab… but the manifest names sha256:cdcdcdcdcdcd…",
        reason(v, CheckName.IMAGE_DIGEST));
  }

  @Test
  void tokenForAnotherImage_isRefused() throws Exception {
    Map<String, Object> c = claims();
    submod(c, "container").put("image_digest", TestJobs.OTHER_IMAGE_DIGEST);
    assertEquals(Set.of(CheckName.IMAGE_DIGEST), failed(verify(genuine(c))));
  }

  @Test
  void submittedNotebookReplaced_isRefused() throws Exception {
    Verification v = verifyAfter(folder -> Files.writeString(folder.notebook(), "{\"cells\":[\"System.exit(0)\"]}"));
    assertEquals(Set.of(CheckName.NOTEBOOK), failed(v));
  }

  @Test
  void debugImage_isRefused() throws Exception {
    Map<String, Object> c = claims();
    c.put("dbgstat", "enabled");
    Verification v = verify(genuine(c));
    assertEquals(Set.of(CheckName.DEBUG), failed(v));
    assertEquals("dbgstat 'enabled': a debug image, which lets its operator into the TEE", reason(v, CheckName.DEBUG));
  }

  @Test
  void stableMissing_isRefused() throws Exception {
    Map<String, Object> c = claims();
    submod(c, "confidential_space").put("support_attributes", List.of("USABLE"));
    Verification v = verify(genuine(c));
    assertEquals(Set.of(CheckName.SUPPORT), failed(v));
    assertEquals("support_attributes [USABLE] lack STABLE: not a supported production image", reason(v, CheckName.SUPPORT));
  }

  @Test
  void jwksWithANonMatchingKeyId_isRefused() throws Exception {
    RSAKey renamed = new RSAKey.Builder(TestJobs.googleKey().toRSAPublicKey()).keyID("google-key-2").build();
    Verification v = verify(genuine(claims()), TestJobs.jwksOf(renamed), NOW);
    assertEquals(Set.of(CheckName.KEY, CheckName.SIGNATURE), failed(v));
    assertTrue(reason(v, CheckName.KEY).startsWith("no key google-key-1 in the offline JWKS"), reason(v, CheckName.KEY));
    assertEquals("not checked: no trusted key", reason(v, CheckName.SIGNATURE));
  }

  @Test
  void plainConfidentialVm_isRefusedAsNotConfidentialSpace() throws Exception {
    Map<String, Object> c = claims();
    c.put("swname", "GCE");
    assertEquals(Set.of(CheckName.SOFTWARE), failed(verify(genuine(c))));
  }

  @Test
  void shieldedVmWithoutConfidentialHardware_isRefused() throws Exception {
    Map<String, Object> c = claims();
    c.put("hwmodel", "GCP_SHIELDED_VM");
    assertEquals(Set.of(CheckName.HARDWARE), failed(verify(genuine(c))));
  }

  @Test
  void secureBootOff_isRefused() throws Exception {
    Map<String, Object> c = claims();
    c.put("secboot", false);
    assertEquals(Set.of(CheckName.SECURE_BOOT), failed(verify(genuine(c))));
  }

  @Test
  void mistypedClaim_failsItsOwnCheck() throws Exception {
    Map<String, Object> c = claims();
    c.put("iss", 42);
    assertEquals(Set.of(CheckName.ISSUER), failed(verify(genuine(c))));
  }

  @Test
  void reasons_neverCarryKeyMaterial() throws Exception {
    Verification v = verify(TestJobs.sign(claims(), TestJobs.otherKey()));
    String modulus = TestJobs.googleKey().getModulus().toString();
    String otherModulus = TestJobs.otherKey().getModulus().toString();
    for (Check c : v.checks()) {
      assertFalse(c.reason().contains(modulus.substring(0, 20)) || c.reason().contains(otherModulus.substring(0, 20)), c.reason());
    }
  }
}
