package dev.cleanroom.attestation.verify;

import dev.cleanroom.attestation.jwks.ArchivedJwks;
import java.net.URI;
import java.util.Optional;

/**
 * Which signing keys the verifier trusts. A report's archived JWKS was written by whoever wrote the report,
 * so it is trusted only when asked for ({@link Archived}) — or, under {@code allowSimulator}, for the
 * simulator's issuer, whose keys anyone running the simulator holds anyway.
 */
public sealed interface KeySource {
  /**
   * The issuer's live JWKS, found through its discovery document: Google's for Google's issuer, or the
   * document at {@code discoveryUrl} (which must name the token's issuer) when one is given.
   */
  record Live(Optional<URI> discoveryUrl) implements KeySource {}

  /** The JWKS archived in the report, trusted on the caller's word. */
  record Archived() implements KeySource {}

  /** A JWKS the auditor holds, such as one they archived themselves. */
  record Offline(ArchivedJwks jwks) implements KeySource {}
}
