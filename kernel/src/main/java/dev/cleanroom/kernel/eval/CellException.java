package dev.cleanroom.kernel.eval;

import java.util.List;

/**
 * A cell that did not complete: a compile error, an exception thrown by the cell, an interrupt or a
 * timeout. Carries what Jupyter shows: the error's name and value and a readable traceback (JShell's
 * own frames removed, snippet frames named by cell and line).
 */
public final class CellException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final List<String> traceback;

  public CellException(String name, String value, List<String> traceback) {
    super(value);
    this.name = name;
    this.traceback = List.copyOf(traceback);
  }

  /** The error's name as Jupyter shows it ({@code ename}), such as {@code java.lang.ArithmeticException}. */
  public String name() {
    return name;
  }

  /** The error's message ({@code evalue}). */
  public String value() {
    return getMessage() == null ? "" : getMessage();
  }

  /** The lines Jupyter shows, one per entry, without line breaks. */
  public List<String> traceback() {
    return traceback;
  }

  static CellException interrupted() {
    return new CellException("Interrupted", "The cell was interrupted.", List.of("Interrupted: the cell was interrupted."));
  }
}
