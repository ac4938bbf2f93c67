package dev.cleanroom.tee.rebuild;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.attestation.verify.ImageRebuilder;
import dev.cleanroom.tee.api.ApprovedInputs;
import dev.cleanroom.tee.api.ImageBuildException;
import dev.cleanroom.tee.api.ImageBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SortedMap;

/**
 * {@code dcr verify --rebuild}: rebuilds a job's image from the report folder's {@code notebook.ipynb} and the
 * manifest's input commitments (the inputs the image was approved for) with this installation's image builder, so the verifier can compare the digest with the attested one.
 * It always builds from the pinned sources (JDK and Debian packages), never from prebuilt assets such as the
 * bridge image carries: an audit must not trust what the audited party built.
 * Registered for {@link java.util.ServiceLoader} in {@code META-INF/services}.
 */
public final class NotebookImageRebuilder implements ImageRebuilder {
  @Override
  public String rebuild(Path notebook, SortedMap<String, Sha256> inputs) throws IOException {
    try {
      return ImageBuilder.builder().withoutPrebuiltAssets().progress(line -> System.err.println("rebuild: " + line))
          .build().digest(notebook, ApprovedInputs.of(inputs));
    } catch (ImageBuildException e) {
      throw new IOException(e.getMessage() + " [" + e.code() + "]", e);
    }
  }
}
