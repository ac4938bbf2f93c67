package dev.cleanroom.kernel.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.kernel.display.Displays;
import java.util.ArrayList;
import java.util.List;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The progress bar: one output, shown once and then only updated, by its display id. */
class ProgressTest {
  private final List<DisplayData> shown = new ArrayList<>();
  private final List<DisplayData> updated = new ArrayList<>();

  private void attach() {
    Displays.attach(new Displays.Target() {
      @Override
      public void display(DisplayData data) {
        shown.add(data);
      }

      @Override
      public void update(DisplayData data) {
        updated.add(data);
      }
    });
  }

  @AfterEach
  void detach() {
    Displays.attach(null);
  }

  private static String text(DisplayData data) {
    return String.valueOf(data.getData(MIMEType.TEXT_PLAIN));
  }

  @Test
  void progress_showsOneOutputAndUpdatesItUntilDone() {
    attach();
    Progress progress = Dcr.progress("rows", 4);
    for (int i = 0; i < 4; i++) {
      progress.step();
    }
    progress.done();
    assertEquals(1, shown.size());
    assertEquals("rows [" + ".".repeat(30) + "] 0/4 (0%)", text(shown.get(0)));
    String id = shown.get(0).getDisplayId();
    assertTrue(updated.stream().allMatch(u -> id.equals(u.getDisplayId())));
    assertEquals("rows [" + "#".repeat(30) + "] 4/4 (100%) done", text(updated.get(updated.size() - 1)));
    assertEquals(4, progress.steps());
  }

  @Test
  void progress_fastStepsAreShownAtMostTenTimesASecondButTheLastAlways() {
    attach();
    long started = System.nanoTime();
    try (Progress progress = Dcr.progress(100_000)) {
      for (int i = 0; i < 100_000; i++) {
        progress.step();
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    // The last step and done(), and at most ten a second in between (the steps take milliseconds on a quiet machine).
    assertTrue(updated.size() <= 2 + Math.ceil(seconds * Progress.UPDATES_PER_SECOND),
        updated.size() + " updates in " + seconds + " s");
    assertEquals("[" + "#".repeat(30) + "] 100000/100000 (100%)", text(updated.get(updated.size() - 2)));
  }

  @Test
  void progress_endedEarlySaysStopped() {
    attach();
    Progress progress = Dcr.progress("folds", 5);
    progress.advance(2);
    progress.done();
    assertEquals("folds [" + "#".repeat(12) + ".".repeat(18) + "] 2/5 (40%) stopped",
        text(updated.get(updated.size() - 1)));
  }

  @Test
  void progress_refusesANegativeTotal() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dcr.progress(-1));
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
  }
}
