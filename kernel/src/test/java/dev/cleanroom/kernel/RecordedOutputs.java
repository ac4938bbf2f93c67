package dev.cleanroom.kernel;

import java.util.ArrayList;
import java.util.List;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/** What a cell sent to its outputs, kept for a test to read: the streams' text and every display and update. */
public final class RecordedOutputs implements NotebookSession.CellOutputs {
  public final StringBuilder stdout = new StringBuilder();
  public final StringBuilder stderr = new StringBuilder();
  public final List<DisplayData> shown = new ArrayList<>();
  public final List<DisplayData> updated = new ArrayList<>();

  @Override
  public void stdout(String text) {
    stdout.append(text);
  }

  @Override
  public void stderr(String text) {
    stderr.append(text);
  }

  @Override
  public void display(DisplayData data) {
    shown.add(data);
  }

  @Override
  public void updateDisplay(DisplayData data) {
    updated.add(data);
  }
}
