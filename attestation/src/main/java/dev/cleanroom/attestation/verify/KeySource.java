package dev.cleanroom.attestation.verify;

import dev.cleanroom.attestation.jwks.ArchivedJwks;
import java.net.URI;
import java.util.Optional;

/**
 * Which signing keys the verifier trusts. A report's archived JWKS was written by whoever wrote the report, so it
 * is never trusted by itself: {@link Archived} keeps only its keys that a trusted set also holds.
 */
public sealed interface KeySource {
  /**
   * The issuer's live JWKS, found through its discovery document: Google's pinned one for Google's issuer; for the
   * simulator, the trust file's keys, or the document at {@code discoveryUrl} (which must name the simulator).
   */
  record Live(Optional<URI> discoveryUrl) implements KeySource {}

  /** The report's archived keys that the live set (or the trust file's simulator keys) also holds. */
  record Archived() implements KeySource {}

  /** A JWKS the auditor holds, such as one they archived themselves. */
  record Offline(ArchivedJwks jwks) implements KeySource {}
}
