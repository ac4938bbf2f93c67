package dev.cleanroom.images;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One deployment image as built or pushed.
 *
 * @param image which image
 * @param reference the name it was written or pushed under ({@code [registry/]name:tag})
 * @param digest the OCI manifest digest, {@code sha256:<hex>}; the same whether written to a layout or pushed
 * @param layout the OCI layout folder, when built to one
 * @param took how long the build (and push) took
 */
public record PublishedImage(DeploymentImage image, String reference, String digest, Optional<Path> layout,
    Duration took) {}
