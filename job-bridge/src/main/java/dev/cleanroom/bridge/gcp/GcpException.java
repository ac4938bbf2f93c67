package dev.cleanroom.bridge.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.cloud.BaseServiceException;
import java.io.IOException;

/**
 * A Google Cloud backend could not do what the bridge asked, with a stable {@link #code()} the reconciler and
 * the REST API show. {@link #retryable()} says whether the same call may succeed later (an API hiccup, an
 * operation still running) or needs a person (a refusal, a wrong setting).
 */
public final class GcpException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Google answered with an error; {@link #retryable()} follows Google's own judgement. */
  public static final String CALL_FAILED = "gcp_call_failed";
  /** A Compute Engine operation did not finish in time; it may still finish, and the next call finds it. */
  public static final String OPERATION_TIMEOUT = "gcp_operation_timeout";
  /** The job asked for the debug image but this bridge does not allow debug images. */
  public static final String DEBUG_NOT_ALLOWED = "debug_image_not_allowed";
  /** The image is not a registry reference by digest, which Confidential Space needs. */
  public static final String IMAGE_NOT_BY_DIGEST = "image_not_by_digest";
  /** A declared environment variable cannot be passed as {@code tee-env-NAME}. */
  public static final String INVALID_ENVIRONMENT = "invalid_environment";
  /** An instance with the job's name exists but belongs to another job or runs another image. */
  public static final String INSTANCE_CONFLICT = "instance_conflict";

  private final String code;
  private final boolean retryable;

  GcpException(String code, String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.retryable = retryable;
  }

  static GcpException refused(String code, String message) {
    return new GcpException(code, message, false, null);
  }

  /** "Tried to {@code action} but failed because: ..." for an error from a Google client library. */
  static GcpException callFailed(String action, RuntimeException cause) {
    boolean retryable = cause instanceof ApiException api ? api.isRetryable()
        : cause instanceof BaseServiceException service && service.isRetryable();
    return new GcpException(CALL_FAILED, "Tried to " + action + " but failed because: " + cause.getMessage(),
        retryable, cause);
  }

  public String code() {
    return code;
  }

  public boolean retryable() {
    return retryable;
  }
}
