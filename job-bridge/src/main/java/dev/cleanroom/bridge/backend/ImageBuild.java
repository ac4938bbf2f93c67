package dev.cleanroom.bridge.backend;

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
  BuiltImage build(String jobId, Path notebook) throws IOException;
}
