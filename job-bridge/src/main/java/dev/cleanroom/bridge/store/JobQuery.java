package dev.cleanroom.bridge.store;

import dev.cleanroom.bridge.job.JobState;
import java.util.Optional;

/**
 * Which jobs to list, newest first: everyone's, or those owned by {@code owner} together with those reading a
 * dataset of {@code provider} (either may be absent), optionally in one state, at most {@code limit}.
 */
public record JobQuery(boolean everyone, Optional<String> owner, Optional<String> provider, Optional<JobState> state,
    int limit) {
  public static final int MAX_LIMIT = 500;

  public JobQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit is 1 to " + MAX_LIMIT);
    }
  }

  public static JobQuery everyone(Optional<JobState> state, int limit) {
    return new JobQuery(true, Optional.empty(), Optional.empty(), state, limit);
  }

  public static JobQuery visibleTo(Optional<String> owner, Optional<String> provider, Optional<JobState> state, int limit) {
    return new JobQuery(false, owner, provider, state, limit);
  }
}
