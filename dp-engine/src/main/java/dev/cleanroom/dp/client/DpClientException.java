package dev.cleanroom.dp.client;

import dev.cleanroom.dp.accounting.PrivacyCost;
import java.util.Optional;

/**
 * A DP request that failed, with the stable code the DP query service sent (such as
 * {@code budget_exhausted}, {@code unknown_column}, {@code unauthorized}) and its message.
 */
public final class DpClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final int httpStatus;
  private final PrivacyCost remaining;

  public DpClientException(String code, int httpStatus, String message) {
    this(code, httpStatus, message, null);
  }

  /** A refusal that tells the scientist how much budget is left (code {@code budget_exhausted}). */
  public DpClientException(String code, int httpStatus, String message, PrivacyCost remaining) {
    super(message);
    this.code = code;
    this.httpStatus = httpStatus;
    this.remaining = remaining;
  }

  /** The budget left, when the failure is about the budget. */
  public Optional<PrivacyCost> remaining() {
    return Optional.ofNullable(remaining);
  }

  public String code() {
    return code;
  }

  /** The HTTP status of the service's answer, or 0 when the failure happened before one arrived. */
  public int httpStatus() {
    return httpStatus;
  }
}
