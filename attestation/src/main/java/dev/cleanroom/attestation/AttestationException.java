package dev.cleanroom.attestation;

/**
 * A failure of this module that a caller can act on, with a stable {@link #code()} that the REST API and
 * the CLI show. Messages are short, say what to do, and never carry key material or whole tokens.
 */
public final class AttestationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;

  public AttestationException(String code, String message) {
    super(message);
    this.code = code;
  }

  public AttestationException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /**
   * One of {@code invalid_manifest}, {@code invalid_report}, {@code invalid_jwks}, {@code jwks_unavailable},
   * {@code token_refused}, {@code token_unavailable}, {@code rebuild_unavailable}, {@code verification_failed}.
   */
  public String code() {
    return code;
  }
}
