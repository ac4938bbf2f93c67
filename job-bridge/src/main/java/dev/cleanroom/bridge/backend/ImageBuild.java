package dev.cleanroom.bridge.backend;

import dev.cleanroom.tee.api.ApprovedInputs;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Builds the stage-2 image of a job from its notebook: the tee-image module's reproducible build, to an OCI
 * layout on disk (embedded default) or pushed to a registry.
 *
 * <p>Idempotent by job id: building again after a crash gives the same digest (the build is reproducible)
 * and replaces what a cut-off build left.
 */
@FunctionalInterface
public interface ImageBuild {
  /**
   * Builds the image of {@code notebook} approved to read {@code inputs} (the job's datasets' inputs and commitments):
   * the image carries them, so its digest, which the providers' data grants name, is this job's on this data.
   */
  BuiltImage build(String jobId, Path notebook, ApprovedInputs inputs) throws IOException;
}
