package dev.cleanroom.attestation.manifest;

/**
 * How the job ended, as the launcher saw it. A failed job is attested too: its report says why it
 * failed, and verifying it proves only that this is what happened.
 *
 * @param reason empty when the job succeeded; otherwise one line a person can act on
 */
public record JobOutcome(Status status, String reason) {
  public enum Status {
    SUCCEEDED,
    FAILED,
    TIMED_OUT;

    String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Status ofCode(String code) {
      for (Status s : values()) {
        if (s.code().equals(code)) {
          return s;
        }
      }
      throw new IllegalArgumentException("'outcome.status' must be succeeded, failed or timed_out");
    }
  }

  public JobOutcome {
    if (status == null || reason == null) {
      throw new IllegalArgumentException("an outcome needs a status and a reason (empty on success)");
    }
    if (status == Status.SUCCEEDED != reason.isEmpty()) {
      throw new IllegalArgumentException("a reason is given exactly when the job did not succeed");
    }
  }

  public static JobOutcome succeeded() {
    return new JobOutcome(Status.SUCCEEDED, "");
  }

  public static JobOutcome failed(String reason) {
    return new JobOutcome(Status.FAILED, reason);
  }

  public static JobOutcome timedOut(String reason) {
    return new JobOutcome(Status.TIMED_OUT, reason);
  }

  public boolean isSuccess() {
    return status == Status.SUCCEEDED;
  }

  @Override
  public String toString() {
    return reason.isEmpty() ? status.code() : status.code() + ": " + reason;
  }
}
