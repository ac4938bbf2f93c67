package dev.cleanroom.bridge;

/**
 * A refusal or failure of the job bridge, with the stable {@link #code()} and HTTP status the REST API
 * answers with. Messages say what happened and what to do; security refusals are terse and never echo a
 * token.
 */
public final class BridgeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final int httpStatus;

  public BridgeException(String code, int httpStatus, String message) {
    super(message);
    this.code = code;
    this.httpStatus = httpStatus;
  }

  public BridgeException(String code, int httpStatus, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.httpStatus = httpStatus;
  }

  public String code() {
    return code;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public static BridgeException notFound(String jobId) {
    return new BridgeException("unknown_job", 404, "No job '" + jobId + "' that you may see");
  }

  public static BridgeException forbidden(String message) {
    return new BridgeException("not_permitted", 403, message);
  }

  public static BridgeException wrongState(String message) {
    return new BridgeException("wrong_state", 409, message);
  }
}
