package dev.cleanroom.bridge.backend;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/**
 * Runs one job's image in a trusted execution environment: the local runc simulator (embedded default)
 * or a Confidential Space VM on Compute Engine (production).
 *
 * <p>Every method is idempotent by job id, because the reconciler retries steps after a crash: launching a
 * job that is already running returns the existing run instead of starting a second VM or container.
 */
public interface TeeBackend {
  /** Starts the job's image, or finds it already started. */
  Run launch(LaunchRequest request) throws IOException;

  /** Where the run of {@code jobId} stands now. */
  RunState state(String jobId) throws IOException;

  /** Stops the run and frees what it holds (container, VM); harmless if already gone. */
  void stop(String jobId) throws IOException;

  /**
   * What to launch.
   *
   * @param imageReference the image by digest, e.g. {@code registry/repo@sha256:...} or an OCI layout path
   * @param environment the declared {@code tee-env-*} variables (job id, input and output URLs, audience)
   * @param debug run the debug image (only when the job asked and the dataset policy allows)
   * @param timeout the job's time limit
   */
  record LaunchRequest(
      String jobId, String imageReference, String imageDigest, Map<String, String> environment, boolean debug,
      Duration timeout) {
    public LaunchRequest {
      environment = Map.copyOf(environment);
    }
  }

  /** A started run: where it runs (container id, instance name) for logs and clean-up. */
  record Run(String jobId, String where) {}

  /** The state of a run as the backend sees it. */
  enum RunState {
    STARTING,
    RUNNING,
    /** The workload exited; the job's results are in storage (or its outcome says why not). */
    EXITED,
    /** The run is gone without a result (VM deleted, container lost). */
    LOST,
    UNKNOWN
  }
}
