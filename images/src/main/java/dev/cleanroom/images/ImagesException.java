package dev.cleanroom.images;

/**
 * A deployment image could not be built or pushed. The message says what was tried, why it failed and what to
 * do ("Tried to X but failed because: Y. Z"); {@link #code()} is stable for the CLI.
 */
public class ImagesException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String code;

  public ImagesException(String code, String message) {
    super(message);
    this.code = code;
  }

  public ImagesException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /**
   * One of {@code module_not_built}, {@code base_failed}, {@code wheels_failed}, {@code python_failed},
   * {@code build_failed}, {@code push_failed}, {@code insecure_registry}, {@code needs_root}.
   */
  public String code() {
    return code;
  }
}
