package dev.cleanroom.attestation.simulator;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.cleanroom.attestation.claims.AttestationClaims;
import dev.cleanroom.attestation.claims.ConfidentialSpace;
import dev.cleanroom.attestation.claims.ContainerClaims;
import dev.cleanroom.attestation.claims.GceClaims;
import dev.cleanroom.attestation.token.TokenRequest;
import dev.cleanroom.attestation.token.TokenSource;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The local simulator's stand-in for Google's attestation verifier: signs RS256 tokens in the Confidential
 * Space claim shape, for the image the simulator really runs.
 *
 * <p>Invariant: every token it signs says it is simulated three ways — its own {@link #ISSUER}, {@code
 * swname = }{@link #SOFTWARE_NAME} and a {@code CLEANROOM_SIMULATED_*} {@code hwmodel} — and is signed by
 * a key Google never published, so strict verification refuses it: a simulated run never passes for a
 * real one.
 */
public final class SimulatorIssuer {
  /** The simulator's {@code iss}. The {@code .invalid} name (RFC 6761) can never resolve to a real server. */
  public static final String ISSUER = "https://confidentialcomputing.simulator.cleanroom.invalid";
  /** The simulator's {@code swname}, in place of {@code CONFIDENTIAL_SPACE}. */
  public static final String SOFTWARE_NAME = "CLEANROOM_SIMULATOR";
  /**
   * The simulator's stand-ins for {@code submods.gce.project_id}, {@code project_number} and the workload service
   * account. They are the same for every simulator: what tells one simulated deployment from another is its keys,
   * which its trust file names.
   */
  public static final String PROJECT_ID = "cleanroom-simulator";
  public static final String PROJECT_NUMBER = "0";
  public static final String SERVICE_ACCOUNT = "workload@cleanroom-simulator.invalid";
  /** As Google's tokens: {@code exp = iat + 1 h}. */
  public static final Duration LIFETIME = Duration.ofHours(1);

  private final SimulatorKeys keys;
  private final Clock clock;

  public SimulatorIssuer(SimulatorKeys keys, Clock clock) {
    this.keys = keys;
    this.clock = clock;
  }

  /** A token source for one workload, to serve on its launcher socket ({@code TeeServer}). */
  public TokenSource forWorkload(SimulatedWorkload workload) {
    return request -> issue(request, workload);
  }

  /** Signs a token for {@code request} about {@code workload}, with the active key. */
  public String issue(TokenRequest request, SimulatedWorkload workload) {
    return sign(claims(request, workload), keys.signingKey());
  }

  /** The claims the simulator signs for a request; public so tests and tools can see the exact shape. */
  public AttestationClaims claims(TokenRequest request, SimulatedWorkload workload) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    return new AttestationClaims(
        ISSUER,
        List.of(request.audience()),
        ISSUER + "/instances/" + workload.instanceName(),
        Optional.of(now),
        Optional.of(now),
        Optional.of(now.plus(LIFETIME)),
        request.nonces(),
        workload.isolation().hardwareModel(),
        SOFTWARE_NAME,
        List.of("1"),
        workload.debug() ? "enabled" : ConfidentialSpace.DEBUG_DISABLED,
        Optional.of(true),
        // No OEM vouches for simulated hardware; Google's tokens carry its PEN, 11129.
        Optional.of(0L),
        List.of(SERVICE_ACCOUNT),
        workload.debug() ? List.of() : List.of("LATEST", ConfidentialSpace.STABLE, "USABLE"),
        new ContainerClaims(workload.imageReference(), workload.imageDigest(), workload.imageId(), "Never",
            workload.env(), workload.args()),
        Optional.of(new GceClaims("local", PROJECT_ID, PROJECT_NUMBER, workload.instanceName(), "0")));
  }

  /** Signs claims as an RS256 JWT with {@code kid} and {@code typ: JWT}, as Google's OIDC tokens are. */
  static String sign(AttestationClaims claims, RSAKey key) {
    try {
      SignedJWT jwt = new SignedJWT(
          new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
          JWTClaimsSet.parse(claims.toMap()));
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (JOSEException | ParseException e) {
      throw new IllegalStateException("signing the simulator's token failed", e);
    }
  }
}
