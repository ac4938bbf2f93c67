package dev.cleanroom.dp.table;

/**
 * The real data breaks its declared schema and the policy says to reject such data. Seen by the
 * provider who loads the data, never by a scientist.
 */
public final class InvalidDataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidDataException(String message) {
    super(message);
  }

  public String code() {
    return "invalid_data";
  }
}
