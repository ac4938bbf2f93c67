package dev.cleanroom.bridge.job;

import java.time.Instant;
import java.util.Optional;

/**
 * What the bridge knows of a job's run in the TEE.
 *
 * <p>{@code requestedAt} is written before the backend is asked to launch, so that after a crash the bridge
 * knows a container or VM may exist even if it never learnt where: a job whose run was requested and not
 * {@code stoppedAt} is stopped once the job is over, whatever else happened.
 *
 * @param where the backend's name for the run (container id, instance name), once known
 * @param launchedAt when the current launch was first requested; the job's timeout counts from here
 * @param launches how many times the run was started (a lost run may be started again)
 */
public record TeeRun(
    Optional<Instant> requestedAt, Optional<String> where, Optional<Instant> launchedAt, Optional<Instant> stoppedAt,
    int launches) {
  public static final TeeRun NONE = new TeeRun(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 0);

  /** Whether a container or VM may still hold resources for this job. */
  public boolean mayBeRunning() {
    return requestedAt.isPresent() && stoppedAt.isEmpty();
  }
}
