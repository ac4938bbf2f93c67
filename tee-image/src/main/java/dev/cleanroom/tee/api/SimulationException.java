package dev.cleanroom.tee.api;

/**
 * The local Confidential Space simulator could not run a job: the image could not be unpacked or started,
 * or the launcher returned no attested result. A job that ran and failed is not this: its outcome is in
 * its manifest. {@link #code()} is stable for the REST API and CLI.
 */
public class SimulationException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String code;

  public SimulationException(String code, String message) {
    super(message);
    this.code = code;
  }

  public SimulationException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /**
   * One of {@code isolation_unavailable}, {@code tool_missing}, {@code tool_failed}, {@code invalid_image},
   * {@code invalid_dataset}, {@code launcher_failed}, {@code no_attestation}.
   */
  public String code() {
    return code;
  }
}
