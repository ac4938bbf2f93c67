package dev.cleanroom.tee.rebuild;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.attestation.verify.ImageRebuilder;
import dev.cleanroom.tee.api.ApprovedInputs;
import dev.cleanroom.tee.api.ImageBuildException;
import dev.cleanroom.tee.api.ImageBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SortedMap;

/**
 * {@code dcr verify --rebuild}: rebuilds a job's image from the report folder's {@code notebook.ipynb} and the
 * manifest's input commitments (the inputs the image was approved for) with this installation's image builder, so the verifier can compare the digest with the attested one.
 * It always builds from the pinned sources (JDK and Debian packages), never from prebuilt assets such as the
 * bridge image carries: an audit must not trust what the audited party built. The jars the notebook locked with
 * {@code %maven} come from {@code $DCR_MAVEN_REPOSITORY} (else Maven Central) or a folder the auditor names, and each
 * must have the sha256 the lock names.
 * Registered for {@link java.util.ServiceLoader} in {@code META-INF/services}.
 */
public final class NotebookImageRebuilder implements ImageRebuilder {
  private final Optional<Path> libraryFolder;

  /** The rebuilder {@link java.util.ServiceLoader} makes: libraries from the Maven repository. */
  public NotebookImageRebuilder() {
    this(Optional.empty());
  }

  private NotebookImageRebuilder(Optional<Path> libraryFolder) {
    this.libraryFolder = libraryFolder;
  }

  @Override
  public ImageRebuilder withLibraryFolder(Path folder) {
    return new NotebookImageRebuilder(Optional.of(folder));
  }

  @Override
  public String rebuild(Path notebook, SortedMap<String, Sha256> inputs) throws IOException {
    try {
      ImageBuilder.Builder builder = ImageBuilder.builder().withoutPrebuiltAssets()
          .progress(line -> System.err.println("rebuild: " + line));
      libraryFolder.ifPresent(builder::libraryFolder);
      return builder.build().digest(notebook, ApprovedInputs.of(inputs));
    } catch (ImageBuildException e) {
      throw new IOException(e.getMessage() + " [" + e.code() + "]", e);
    }
  }
}
