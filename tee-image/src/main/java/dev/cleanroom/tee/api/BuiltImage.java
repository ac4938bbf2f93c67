package dev.cleanroom.tee.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A stage-2 image as built: what the TEE's token will attest ({@link #digest()}) and where it is.
 *
 * @param digest the OCI manifest digest, {@code sha256:<hex>}: {@code submods.container.image_digest}
 * @param configDigest the image config's digest (the image id)
 * @param reference the name it was written or pushed under
 * @param notebookSha256 the sha256 (hex) of the notebook it runs
 * @param labels the image's labels: launch policy and provenance
 * @param layout the OCI layout folder, when built to one
 * @param took how long the build took
 */
public record BuiltImage(String digest, String configDigest, String reference, String notebookSha256,
    Map<String, String> labels, Optional<Path> layout, Duration took) {
  public BuiltImage {
    labels = Map.copyOf(labels);
  }
}
