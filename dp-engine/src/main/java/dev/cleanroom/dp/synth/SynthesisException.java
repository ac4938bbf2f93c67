package dev.cleanroom.dp.synth;

/**
 * A synthesis refused before anything was measured or spent, with a stable {@code code()} for the CLI
 * and REST API (such as {@code invalid_budget}).
 */
public final class SynthesisException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;

  SynthesisException(String code, String message) {
    super(message);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
