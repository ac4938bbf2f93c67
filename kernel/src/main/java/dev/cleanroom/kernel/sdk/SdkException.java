package dev.cleanroom.kernel.sdk;

/**
 * A notebook SDK call that cannot be done, with a stable code ({@code no_dp_service},
 * {@code unknown_dataset}, {@code invalid_output_name}, ...) and a message that says what to do.
 */
public final class SdkException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;

  public SdkException(String code, String message) {
    super(message);
    this.code = code;
  }

  public SdkException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
