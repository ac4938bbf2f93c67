package dev.cleanroom.bridge.job;

import java.time.Instant;

/** A provider's decision on a job: on the notebook before the run, or on the outputs after it. */
public record Decision(String provider, Kind kind, String comment, Instant at) {
  public enum Kind {
    APPROVE,
    REJECT,
    RELEASE,
    WITHHOLD;

    /** Whether this decides on the notebook (before the run) rather than on the outputs. */
    public boolean isReview() {
      return this == APPROVE || this == REJECT;
    }

    public String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Decision {
    if (provider == null || kind == null || at == null) {
      throw new IllegalArgumentException("a decision needs its provider, kind and time");
    }
    comment = comment == null ? "" : comment;
  }
}
