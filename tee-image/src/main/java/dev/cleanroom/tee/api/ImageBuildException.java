package dev.cleanroom.tee.api;

/**
 * The stage-2 image could not be built or pushed. The message says what was tried, why it failed and
 * what to do ("Tried to X but failed because: Y. Z"); {@link #code()} is stable for the REST API and CLI.
 */
public class ImageBuildException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String code;

  public ImageBuildException(String code, String message) {
    super(message);
    this.code = code;
  }

  public ImageBuildException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /**
   * One of {@code invalid_notebook}, {@code jdk_mismatch}, {@code package_unavailable}, {@code
   * package_tampered}, {@code tool_missing}, {@code tool_failed}, {@code bundle_missing}, {@code
   * assets_missing}, {@code assets_mismatch}, {@code build_failed}, {@code push_failed}, {@code insecure_registry}, and for the notebook's own libraries
   * {@code invalid_lock}, {@code library_unavailable}, {@code library_mismatch}.
   */
  public String code() {
    return code;
  }
}
