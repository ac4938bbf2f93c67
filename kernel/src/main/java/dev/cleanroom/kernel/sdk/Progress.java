package dev.cleanroom.kernel.sdk;

import dev.cleanroom.kernel.display.Displays;
import dev.cleanroom.kernel.display.Html;
import dev.cleanroom.kernel.display.Renderable;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * A progress bar in the running cell's output that updates in place (one output, replaced through its
 * display id), for a loop or a long call:
 *
 * <pre>{@code
 * var progress = Dcr.progress("fitting", folds);
 * for (int fold = 0; fold < folds; fold++) {
 *   fit(fold);
 *   progress.step();
 * }
 * progress.done();
 * }</pre>
 *
 * <p>Shows at most about {@value #UPDATES_PER_SECOND} updates a second, so that a fast loop does not flood
 * the notebook; the last step and {@link #done()} always show. Headless (the stage-2 runner) the
 * notebook keeps the bar's last state.
 */
public final class Progress implements AutoCloseable {
  static final int UPDATES_PER_SECOND = 10;
  private static final long MIN_NANOS_BETWEEN_UPDATES = 1_000_000_000L / UPDATES_PER_SECOND;
  private static final int WIDTH = 30;

  private final String label;
  private final long total;
  private final String displayId;
  private long done;
  private long shownAt;
  private boolean finished;

  private Progress(String label, long total) {
    this.label = label;
    this.total = total;
    this.displayId = Displays.showUpdatable(new Bar(label, 0, total, false));
    this.shownAt = System.nanoTime();
  }

  static Progress start(String label, long total) {
    if (total < 0) {
      throw new IllegalArgumentException("A progress bar's total is a count of steps, 0 or more; got " + total);
    }
    return new Progress(label == null ? "" : label, total);
  }

  /** One more step done. */
  public synchronized void step() {
    advance(1);
  }

  /** {@code steps} more steps done. */
  public synchronized void advance(long steps) {
    done = Math.min(total, done + Math.max(0, steps));
    long now = System.nanoTime();
    if (done == total || now - shownAt >= MIN_NANOS_BETWEEN_UPDATES) {
      show(false);
      shownAt = now;
    }
  }

  /** Steps done so far. */
  public synchronized long steps() {
    return done;
  }

  /** Ends the bar: it shows the steps done, and "done" when all were ("stopped" when not). */
  public synchronized void done() {
    if (!finished) {
      finished = true;
      show(true);
    }
  }

  /** Same as {@link #done()}, for try-with-resources. */
  @Override
  public void close() {
    done();
  }

  private void show(boolean end) {
    Displays.update(displayId, new Bar(label, done, total, end));
  }

  /** The bar as the notebook shows it: an HTML {@code <progress>} element, and a text bar. */
  record Bar(String label, long done, long total, boolean finished) implements Renderable {
    String text() {
      int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
      long percent = total == 0 ? 100 : 100 * done / total;
      String state = finished ? (done == total ? " done" : " stopped") : "";
      return (label.isEmpty() ? "" : label + " ") + "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
          + done + "/" + total + " (" + percent + "%)" + state;
    }

    @Override
    public DisplayData toDisplayData() {
      DisplayData data = new DisplayData(text());
      data.putHTML("<div class=\"dcr-progress\">" + (label.isEmpty() ? "" : Html.escape(label) + " ")
          + "<progress value=\"" + done + "\" max=\"" + Math.max(total, 1) + "\"></progress> "
          + Html.escape(done + "/" + total + (finished ? (done == total ? " done" : " stopped") : "")) + "</div>");
      return data;
    }
  }
}
