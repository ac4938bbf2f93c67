package dev.cleanroom.attestation.verify;

import dev.cleanroom.attestation.claims.AttestationClaims;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.simulator.SimulatorIssuer;
import java.util.Optional;

/**
 * A job report that passed every check: the manifest is what the attested TEE ran and produced. Only
 * {@link AttestationVerifier} makes one, so holding one is proof that verification passed under the
 * options it was given — and {@link #simulated()} says whether those let a simulated run through.
 */
public final class VerifiedAttestation {
  private final JobManifest manifest;
  private final AttestationClaims claims;
  private final String keySource;
  private final Optional<String> deployment;

  VerifiedAttestation(JobManifest manifest, AttestationClaims claims, String keySource, Optional<String> deployment) {
    this.manifest = manifest;
    this.claims = claims;
    this.keySource = keySource;
    this.deployment = deployment;
  }

  /**
   * The deployment whose trust file the report matched: its project, service accounts, images and input
   * commitments. Empty when verified for any deployment: then nothing says whose data was read.
   */
  public Optional<String> deployment() {
    return deployment;
  }

  public JobManifest manifest() {
    return manifest;
  }

  public AttestationClaims claims() {
    return claims;
  }

  /** Which keys the signature was checked against, in words: live issuer, archive or offline file. */
  public String keySource() {
    return keySource;
  }

  /** True when the token came from the local simulator (accepted only under {@code allowSimulator}). */
  public boolean simulated() {
    return claims.issuer().equals(SimulatorIssuer.ISSUER);
  }
}
