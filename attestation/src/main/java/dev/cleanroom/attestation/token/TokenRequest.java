package dev.cleanroom.attestation.token;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A request for a custom attestation token, as the Confidential Space launcher socket takes it
 * ({@code POST /v1/token}). The limits are the strictest Google documents, so a request that passes
 * here passes every launcher version.
 *
 * @param audience the token's {@code aud}: who the token is for (the job bridge); 1–512 bytes
 * @param nonces at most 6, each 10–74 bytes; the launcher sends one, the manifest's sha256
 * @param tokenType {@code OIDC}, the only type this project asks for or issues
 */
public record TokenRequest(String audience, List<String> nonces, String tokenType) {
  /** The audience the launcher asks for when the job bridge names none, and the verifier expects by default. */
  public static final String DEFAULT_AUDIENCE = "urn:cleanroom:job-bridge";
  public static final String OIDC = "OIDC";
  public static final int MAX_NONCES = 6;
  public static final int MIN_NONCE_BYTES = 10;
  public static final int MAX_NONCE_BYTES = 74;
  public static final int MAX_AUDIENCE_BYTES = 512;

  public TokenRequest {
    if (audience == null || audience.isEmpty()) {
      throw new IllegalArgumentException("audience is required (use GET for the default identity token)");
    }
    if (audience.getBytes(StandardCharsets.UTF_8).length > MAX_AUDIENCE_BYTES) {
      throw new IllegalArgumentException("audience is longer than 512 bytes");
    }
    if (tokenType == null || tokenType.isEmpty()) {
      throw new IllegalArgumentException("token_type is a required parameter");
    }
    if (!tokenType.equals(OIDC)) {
      throw new IllegalArgumentException("token_type " + tokenType + " is not supported; ask for OIDC");
    }
    nonces = List.copyOf(nonces == null ? List.of() : nonces);
    if (nonces.size() > MAX_NONCES) {
      throw new IllegalArgumentException("at most 6 nonces are allowed");
    }
    for (String nonce : nonces) {
      int bytes = nonce.getBytes(StandardCharsets.UTF_8).length;
      if (bytes < MIN_NONCE_BYTES || bytes > MAX_NONCE_BYTES) {
        throw new IllegalArgumentException("each nonce must have 10–74 bytes");
      }
    }
  }

  /** An OIDC token request for one nonce, the launcher's usual request. */
  public static TokenRequest oidc(String audience, String nonce) {
    return new TokenRequest(audience, List.of(nonce), OIDC);
  }
}
