package dev.cleanroom.attestation.verify;

/**
 * One check of a verification and why it passed or failed. Reasons are short, name what was found and
 * what was expected, and never contain key material or the token.
 */
public record Check(CheckName name, boolean passed, String reason) {
  static Check pass(CheckName name, String reason) {
    return new Check(name, true, reason);
  }

  static Check fail(CheckName name, String reason) {
    return new Check(name, false, reason);
  }
}
