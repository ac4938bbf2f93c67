package dev.cleanroom.dp.opendp;

/**
 * An error reported by OpenDP itself, carrying OpenDP's error variant (such as {@code FailedFunction},
 * {@code MakeTransformation}, {@code TypeParse}) and its message unchanged.
 */
public final class OpenDpException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String variant;

  /** Called by the JNI shim, which is the only place OpenDP's error struct is unwrapped. */
  OpenDpException(String variant, String message) {
    super(variant + ": " + message);
    this.variant = variant;
  }

  /** OpenDP's error variant, stable across calls: branch on this, not on the message. */
  public String variant() {
    return variant;
  }
}
