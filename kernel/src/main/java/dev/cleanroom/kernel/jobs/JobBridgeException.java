package dev.cleanroom.kernel.jobs;

/** The job bridge could not be reached or refused a call; the message says what to do. */
public final class JobBridgeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;

  public JobBridgeException(String code, String message) {
    super(message);
    this.code = code;
  }

  /** The bridge's stable error code, such as {@code not_permitted}, or ours ({@code bridge_unreachable}). */
  public String code() {
    return code;
  }
}
