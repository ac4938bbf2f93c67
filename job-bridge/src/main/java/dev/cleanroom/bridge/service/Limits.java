package dev.cleanroom.bridge.service;

import java.time.Duration;

/**
 * What one scientist may ask of the bridge.
 *
 * @param maxNotebookBytes the largest notebook accepted (the request body is capped just above it)
 * @param maxJobsInFlight jobs of one owner that may be in flight at once
 * @param jobTimeout how long a job may run in the TEE, from its launch; whole seconds, at least one
 */
public record Limits(long maxNotebookBytes, int maxJobsInFlight, Duration jobTimeout) {
  public static final Limits DEFAULT = new Limits(8L << 20, 5, Duration.ofHours(1));

  public Limits {
    if (maxNotebookBytes < 1 || maxJobsInFlight < 1 || jobTimeout.toSeconds() < 1) {
      throw new IllegalArgumentException("limits are positive, and a job's timeout at least a second");
    }
  }
}
