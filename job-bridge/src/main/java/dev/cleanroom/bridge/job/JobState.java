package dev.cleanroom.bridge.job;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Where a stage-2 job stands. The happy path is {@code SUBMITTED → APPROVED → BUILDING → BUILT → LAUNCHING →
 * RUNNING → FINISHED → RELEASED}; {@code REJECTED}, {@code FAILED}, {@code CANCELLED} and {@code TIMED_OUT}
 * end it early.
 *
 * <p>Invariant: a job moves only along {@link #canMoveTo}; a final state is never left.
 */
public enum JobState {
  /** Waiting for the approval of every provider whose dataset it reads. */
  SUBMITTED,
  /** Every provider approved; the reconciler builds its image next. */
  APPROVED,
  BUILDING,
  /** The image exists and its digest is recorded. */
  BUILT,
  /** The TEE is being started (a retried launch finds the run already started). */
  LAUNCHING,
  RUNNING,
  /** The run ended with a verified report; its outputs wait in the airlock for the providers' release. */
  FINISHED,
  /** Every provider who must release the outputs did: the scientist may download them. */
  RELEASED,
  REJECTED,
  FAILED,
  CANCELLED,
  TIMED_OUT;

  private static final Set<JobState> FINAL = EnumSet.of(RELEASED, REJECTED, FAILED, CANCELLED, TIMED_OUT);
  private static final Set<JobState> IN_FLIGHT = EnumSet.of(SUBMITTED, APPROVED, BUILDING, BUILT, LAUNCHING, RUNNING);

  private static final Map<JobState, Set<JobState>> NEXT = Map.of(
      SUBMITTED, EnumSet.of(APPROVED, REJECTED, CANCELLED),
      APPROVED, EnumSet.of(BUILDING, CANCELLED),
      BUILDING, EnumSet.of(BUILT, FAILED, CANCELLED),
      BUILT, EnumSet.of(LAUNCHING, FAILED, CANCELLED),
      LAUNCHING, EnumSet.of(RUNNING, FAILED, CANCELLED, TIMED_OUT),
      // Back to LAUNCHING when the run was lost without a result and may be started again.
      RUNNING, EnumSet.of(FINISHED, FAILED, CANCELLED, TIMED_OUT, LAUNCHING),
      FINISHED, EnumSet.of(RELEASED));

  /** A state no job leaves. */
  public boolean isFinal() {
    return FINAL.contains(this);
  }

  /** Not yet run to its end: counts against its owner's limit of jobs in flight, and may be cancelled. */
  public boolean isInFlight() {
    return IN_FLIGHT.contains(this);
  }

  public boolean canMoveTo(JobState next) {
    return NEXT.getOrDefault(this, Set.of()).contains(next);
  }

  public static Set<JobState> inFlight() {
    return EnumSet.copyOf(IN_FLIGHT);
  }

  public static Set<JobState> finalStates() {
    return EnumSet.copyOf(FINAL);
  }
}
