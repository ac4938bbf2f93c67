package dev.cleanroom.bridge.job;

import java.time.Instant;
import java.util.Optional;

/**
 * A note between a job's scientist and its providers, on the job or on one of its outputs.
 *
 * @param output the output's path as the manifest names it, for a comment on an output
 */
public record Comment(long seq, String author, Optional<String> output, String body, Instant at) {
  /** The longest comment, in characters. */
  public static final int MAX_LENGTH = 4000;

  public Comment {
    if (author == null || body == null || body.isBlank() || output == null || at == null) {
      throw new IllegalArgumentException("a comment needs its author, text and time");
    }
  }
}
