package dev.cleanroom.dp.client;

/**
 * A DP request that failed, with the stable code the DP query service sent (such as
 * {@code budget_exhausted}, {@code unknown_column}, {@code unauthorized}) and its message.
 */
public final class DpClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final int httpStatus;

  public DpClientException(String code, int httpStatus, String message) {
    super(message);
    this.code = code;
    this.httpStatus = httpStatus;
  }

  public String code() {
    return code;
  }

  /** The HTTP status of the service's answer, or 0 when the failure happened before one arrived. */
  public int httpStatus() {
    return httpStatus;
  }
}
