package dev.cleanroom.attestation.token;

/**
 * Where the launcher gets its attestation token: the Confidential Space launcher socket
 * ({@link LauncherSocketClient}), the Confidential Computing API on a plain Confidential VM
 * ({@code gcp.ConfidentialComputingTokenSource}), or the local simulator's issuer. The launcher does not
 * know which one it talks to; the token's claims say, and the verifier decides what it accepts.
 */
@FunctionalInterface
public interface TokenSource {
  /**
   * Returns a compact JWT for the request.
   *
   * @throws dev.cleanroom.attestation.AttestationException {@code token_refused} when the source refused
   *     the request, {@code token_unavailable} when it could not be reached
   */
  String token(TokenRequest request);
}
