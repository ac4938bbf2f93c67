package dev.cleanroom.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.kernel.eval.CellException;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** %time and %%time: the cell's value as without them, and the wall time on the cell's output. */
class NotebookSessionTest {
  private static NotebookSession session;
  private final RecordedOutputs outputs = new RecordedOutputs();

  @BeforeAll
  static void start() {
    session = NotebookSession.start();
  }

  @AfterAll
  static void close() {
    session.close();
  }

  private String value(String cell) throws CellException {
    return String.valueOf(session.execute(cell, "cell [1]", outputs).orElseThrow().getData(MIMEType.TEXT_PLAIN));
  }

  @Test
  void timeLine_showsTheValueAndTheWallTime() throws CellException {
    assertEquals("42", value("%time 6 * 7"));
    // Milliseconds, or seconds when a loaded machine's first cell takes longer.
    assertTrue(outputs.stdout.toString().matches("Wall time: \\d+\\.\\d+ m?s\\n"), outputs.stdout.toString());
  }

  @Test
  void timeCell_timesTheWholeCellAndKeepsItsLineNumbers() throws CellException {
    assertEquals("3", value("%%time\nint a = 1;\na + 2"));
    assertTrue(outputs.stdout.toString().matches("Wall time: \\d+\\.\\d+ m?s\\n"), outputs.stdout.toString());
    CellException error = assertThrows(CellException.class, () -> value("%%time\nint b = 1;\nint c = \"x\";"));
    assertTrue(error.value().startsWith("line 3, column 9: "), error.value());
  }

  @Test
  void timeIsCompletedAndListed() {
    assertTrue(session.complete("%ti", 3).matches().contains("time"));
  }
}
