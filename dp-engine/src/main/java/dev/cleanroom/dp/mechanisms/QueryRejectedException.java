package dev.cleanroom.dp.mechanisms;

/**
 * A query that cannot run as asked (unknown column, ε out of range, ...). Raised before anything is
 * charged; {@link #code()} is stable and shown by the REST API and the CLI.
 */
public final class QueryRejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;

  public QueryRejectedException(String code, String message) {
    super(message);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
