package dev.cleanroom.bridge.job;

import java.time.Instant;
import java.util.Optional;

/**
 * One line of a job's timeline: a state change ({@code from → to}) or a note of the platform (a build step,
 * a retry, a verification result). These are platform logs, shown to whoever may see the job; nothing the
 * notebook printed on real data is ever one of them.
 *
 * @param seq the event's number within its job, from 1
 * @param actor who caused it: a user's name, or {@code bridge} for the reconciler
 */
public record JobEvent(
    String jobId, long seq, Instant at, String actor, Optional<JobState> from, Optional<JobState> to, String message) {

  public boolean isStateChange() {
    return to.isPresent();
  }

  /** The event as one log line: {@code job-… SUBMITTED → APPROVED by pat: all providers approved}. */
  public String line() {
    String what = to.map(t -> from.map(f -> f + " → ").orElse("") + t).orElse("note");
    return "job " + jobId + " " + what + " by " + actor + (message.isEmpty() ? "" : ": " + message);
  }
}
