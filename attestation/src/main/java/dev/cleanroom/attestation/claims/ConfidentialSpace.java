package dev.cleanroom.attestation.claims;

import java.util.Set;

/**
 * The values Google Confidential Space puts in its attestation tokens that a verifier pins
 * (shared/facts/confidential-space.md, "Attestation token").
 */
public final class ConfidentialSpace {
  /** {@code iss} of every token Google's attestation verifier signs. */
  public static final String ISSUER = "https://confidentialcomputing.googleapis.com";
  /** Where the issuer's OIDC discovery document lives; its {@code jwks_uri} names the signing keys. */
  public static final String DISCOVERY_URL = ISSUER + "/.well-known/openid-configuration";
  /** {@code swname} of the Confidential Space image ({@code GCE} would be a plain Confidential VM). */
  public static final String SOFTWARE_NAME = "CONFIDENTIAL_SPACE";
  /** {@code dbgstat} of the production (hardened) image; the debug image says {@code enabled}. */
  public static final String DEBUG_DISABLED = "disabled-since-boot";
  /** The support attribute of an image that Google supports and monitors. */
  public static final String STABLE = "STABLE";
  /** {@code aud} of the launcher's default token (for Workload Identity Federation). */
  public static final String STS_AUDIENCE = "https://sts.googleapis.com";
  /** Google's IANA private enterprise number, the {@code oemid} of its tokens. */
  public static final long GOOGLE_OEM_ID = 11129;
  /** The only signature algorithm of Confidential Space OIDC tokens. */
  public static final String ALGORITHM = "RS256";

  /** {@code hwmodel} values of confidential hardware: TDX, SEV-SNP-less SEV and SEV-ES. */
  public static final Set<String> CONFIDENTIAL_HARDWARE = Set.of("GCP_INTEL_TDX", "GCP_AMD_SEV", "GCP_AMD_SEV_ES");

  private ConfidentialSpace() {}
}
