package dev.cleanroom.attestation.verify;

import dev.cleanroom.attestation.manifest.Sha256;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SortedMap;

/**
 * Rebuilds the stage-2 image from a submitted notebook and the inputs it was approved for, for {@code dcr verify
 * --rebuild}: if the build is reproducible, the rebuilt digest equals the attested one and the auditor knows exactly
 * what ran, on which data. The tee-image module implements it and registers it for {@link java.util.ServiceLoader}.
 */
@FunctionalInterface
public interface ImageRebuilder {
  /**
   * Builds the image for {@code notebook} approved to read {@code inputs} (input name → commitment, as the manifest
   * records them) and returns its OCI manifest digest, {@code sha256:<hex>}.
   */
  String rebuild(Path notebook, SortedMap<String, Sha256> inputs) throws IOException;

  /**
   * This rebuilder taking the notebook's own libraries (the jars its {@code %maven} lock names) from a folder the
   * auditor brings rather than from a Maven repository; each jar is still checked against the lock's sha256.
   */
  default ImageRebuilder withLibraryFolder(Path folder) {
    throw new UnsupportedOperationException("this image rebuilder cannot take the notebook's libraries from a folder");
  }
}
