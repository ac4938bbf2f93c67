package dev.cleanroom.attestation.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import dev.cleanroom.attestation.TestJobs;
import dev.cleanroom.attestation.claims.AttestationClaims;
import dev.cleanroom.attestation.claims.ConfidentialSpace;
import dev.cleanroom.attestation.token.TokenRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatorIssuerTest {
  private static final SimulatorKeys KEYS = SimulatorKeys.ephemeral();
  private static final String NONCE = "a".repeat(64);
  private final SimulatorIssuer issuer = new SimulatorIssuer(KEYS, TestJobs.clockAt(TestJobs.ISSUED));
  private final SimulatedWorkload workload = SimulatedWorkload.of("oci:local/job-42", TestJobs.IMAGE_DIGEST);

  private SignedJWT issue(SimulatedWorkload w) throws Exception {
    return SignedJWT.parse(issuer.issue(TokenRequest.oidc("https://bridge.example", NONCE), w));
  }

  private AttestationClaims claims(SimulatedWorkload w) throws Exception {
    return AttestationClaims.fromMap(issue(w).getJWTClaimsSet().getClaims());
  }

  @Test
  void issue_signsRs256WithTheActiveKeyId() throws Exception {
    SignedJWT jwt = issue(workload);
    assertEquals("RS256", jwt.getHeader().getAlgorithm().getName());
    assertEquals(KEYS.activeKeyId(), jwt.getHeader().getKeyID());
    assertEquals("JWT", jwt.getHeader().getType().getType());
    RSAKey key = (RSAKey) JWKSet.parse(KEYS.publicJwks()).getKeyByKeyId(KEYS.activeKeyId());
    assertTrue(jwt.verify(new RSASSAVerifier(key)));
  }

  @Test
  void issue_marksTheTokenSimulatedThreeWays() throws Exception {
    AttestationClaims c = claims(workload);
    assertEquals(SimulatorIssuer.ISSUER, c.issuer());
    assertEquals(SimulatorIssuer.SOFTWARE_NAME, c.softwareName());
    assertEquals("CLEANROOM_SIMULATED_RUNC", c.hardwareModel());
  }

  @Test
  void issue_attestsTheImageDigestItWasGiven() throws Exception {
    assertEquals(TestJobs.IMAGE_DIGEST, claims(workload).container().imageDigest());
    assertEquals("oci:local/job-42", claims(workload).container().imageReference());
  }

  @Test
  void issue_echoesAudienceAndTheSingleNonceAsAString() throws Exception {
    SignedJWT jwt = issue(workload);
    assertEquals(List.of("https://bridge.example"), jwt.getJWTClaimsSet().getAudience());
    assertEquals(NONCE, jwt.getJWTClaimsSet().getClaim("eat_nonce"));
  }

  @Test
  void issue_livesOneHourLikeGooglesTokens() throws Exception {
    AttestationClaims c = claims(workload);
    assertEquals(TestJobs.ISSUED, c.issuedAt().orElseThrow());
    assertEquals(TestJobs.ISSUED, c.notBefore().orElseThrow());
    assertEquals(Duration.ofHours(1), Duration.between(c.issuedAt().orElseThrow(), c.expiresAt().orElseThrow()));
  }

  @Test
  void issue_productionRun_isHardenedAndStable() throws Exception {
    AttestationClaims c = claims(workload);
    assertEquals(ConfidentialSpace.DEBUG_DISABLED, c.debugStatus());
    assertEquals(List.of("LATEST", "STABLE", "USABLE"), c.supportAttributes());
  }

  @Test
  void issue_debugRun_saysDebugAndHasNoSupportAttributes() throws Exception {
    AttestationClaims c = claims(workload.withDebug(true));
    assertEquals("enabled", c.debugStatus());
    assertEquals(List.of(), c.supportAttributes());
  }

  @Test
  void issue_plainProcessRun_saysSoInHwmodel() throws Exception {
    assertEquals("CLEANROOM_SIMULATED_PROCESS", claims(workload.withIsolation(SimulatedWorkload.Isolation.PROCESS)).hardwareModel());
  }

  @Test
  void issue_afterRotation_signsWithTheNewKey() throws Exception {
    SimulatorKeys keys = SimulatorKeys.ephemeral();
    SimulatorIssuer rotating = new SimulatorIssuer(keys, TestJobs.clockAt(TestJobs.ISSUED));
    String fresh = keys.rotate();
    SignedJWT jwt = SignedJWT.parse(rotating.issue(TokenRequest.oidc("aud", NONCE), workload));
    assertEquals(fresh, jwt.getHeader().getKeyID());
  }
}
