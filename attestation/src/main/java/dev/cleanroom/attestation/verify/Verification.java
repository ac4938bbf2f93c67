package dev.cleanroom.attestation.verify;

import dev.cleanroom.attestation.AttestationException;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of verifying one report: every check with its reason, and the verified attestation when —
 * and only when — all of them passed.
 */
public final class Verification {
  private final List<Check> checks;
  private final String keySource;
  private final Optional<String> deployment;
  private final Optional<VerifiedAttestation> attestation;

  Verification(List<Check> checks, String keySource, Optional<String> deployment, Optional<VerifiedAttestation> attestation) {
    this.checks = List.copyOf(checks);
    this.keySource = keySource;
    this.deployment = deployment;
    this.attestation = attestation;
  }

  public List<Check> checks() {
    return checks;
  }

  public boolean passed() {
    return attestation.isPresent();
  }

  public List<Check> failures() {
    return checks.stream().filter(c -> !c.passed()).toList();
  }

  /** The result of one check (each check appears once; {@code REBUILD} only when a rebuild was asked for). */
  public Optional<Check> check(CheckName name) {
    return checks.stream().filter(c -> c.name() == name).findFirst();
  }

  /** Which keys the signature was checked against, in words. */
  public String keySource() {
    return keySource;
  }

  /** The deployment whose trust file the report was checked against; empty for any deployment. */
  public Optional<String> deployment() {
    return deployment;
  }

  public Optional<VerifiedAttestation> attestation() {
    return attestation;
  }

  /** The verified attestation, or {@code verification_failed} naming the failed checks. */
  public VerifiedAttestation orThrow() {
    return attestation.orElseThrow(() -> new AttestationException("verification_failed",
        "attestation refused; failed checks: " + String.join(", ", failures().stream().map(c -> c.name().code()).toList())));
  }
}
