package dev.cleanroom.bridge.backend;

/**
 * An image built for a job.
 *
 * @param reference where the TEE pulls it from: a registry reference by digest, or an OCI layout path
 * @param digest its OCI manifest digest, {@code sha256:<hex>}: what the attestation token must name
 */
public record BuiltImage(String reference, String digest) {
  public BuiltImage {
    if (digest == null || !digest.matches("sha256:[0-9a-f]{64}")) {
      throw new IllegalArgumentException("an image digest is sha256:<64 lower-case hex digits>");
    }
    if (reference == null || reference.isBlank()) {
      throw new IllegalArgumentException("an image needs a reference");
    }
  }
}
