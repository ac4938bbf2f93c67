package dev.cleanroom.kernel;

import dev.cleanroom.kernel.display.Displays;
import dev.cleanroom.kernel.eval.CellException;
import dev.cleanroom.kernel.eval.JavaEvaluator;
import dev.cleanroom.kernel.jobs.JobBridgeClient;
import dev.cleanroom.kernel.jobs.JobBridgeException;
import dev.cleanroom.kernel.magic.Magics;
import dev.cleanroom.kernel.sdk.SdkException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * One notebook's Java session: the evaluator, the magics and the displays, shared by the Jupyter
 * kernel and the headless runner so that a notebook behaves the same in both.
 *
 * <p>A cell is a sequence of Java snippets and magic lines ({@code %budget}); its value is the value
 * of its last part. While a cell runs, {@code System.out}/{@code System.err} and {@code display(...)}
 * go to that cell's outputs.
 */
public final class NotebookSession implements AutoCloseable {
  /** Where a running cell's outputs go. */
  public interface CellOutputs {
    void stdout(String text);

    void stderr(String text);

    void display(DisplayData data);

    /** Replaces what the outputs with this data's display id show (update_display_data). */
    void updateDisplay(DisplayData data);
  }

  private final JavaEvaluator evaluator;
  private final Magics magics;

  private NotebookSession(JavaEvaluator evaluator, Magics magics) {
    this.evaluator = evaluator;
    this.magics = magics;
  }

  /** Tribuo reports training progress at INFO through java.util.logging; cells show warnings only. */
  private static final java.util.logging.Logger TRIBUO_LOG = java.util.logging.Logger.getLogger("org.tribuo");

  /** Starts a session; the job bridge for {@code %submit} comes from {@code DCR_BRIDGE_URL} and {@code DCR_TOKEN}. */
  public static NotebookSession start() {
    return start(System.getenv());
  }

  /** Starts a session whose magics read this environment rather than the process's ({@code %maven}'s mirror). */
  public static NotebookSession start(java.util.Map<String, String> environment) {
    TRIBUO_LOG.setLevel(java.util.logging.Level.WARNING);
    JavaEvaluator evaluator = JavaEvaluator.start();
    return new NotebookSession(evaluator,
        new Magics(JobBridgeClient.fromEnvironment(environment), environment, evaluator::addToClasspath));
  }

  /**
   * Runs a cell.
   *
   * @param cellName how errors name the cell, such as {@code cell [3]}
   * @return the display data of the cell's value, if it ends with an expression or a magic
   */
  public Optional<DisplayData> execute(String code, String cellName, CellOutputs outputs) throws CellException {
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    PrintStream out = new PrintStream(new ForwardingStream(outputs::stdout), true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new ForwardingStream(outputs::stderr), true, StandardCharsets.UTF_8);
    System.setOut(out);
    System.setErr(err);
    Displays.attach(new Displays.Target() {
      @Override
      public void display(DisplayData data) {
        out.flush(); // what the cell printed before comes before it
        err.flush();
        outputs.display(data);
      }

      @Override
      public void update(DisplayData data) {
        outputs.updateDisplay(data);
      }
    });
    try {
      Optional<Object> value = Optional.empty();
      boolean hasValue = false;
      long cellStarted = System.nanoTime();
      // %%time on the first line times the whole cell; a blank line keeps the cell's line numbers in errors.
      boolean timeCell = code.lines().findFirst().map(String::strip).orElse("").equals("%%time");
      String body = timeCell ? code.substring(code.indexOf('\n') < 0 ? code.length() : code.indexOf('\n')) : code;
      for (Part part : parts(body)) {
        hasValue = false;
        if (part.magic() && isTimeLine(part.text())) {
          long started = System.nanoTime();
          Optional<JavaEvaluator.CellValue> result = evaluator.eval(part.text().strip().substring("%time".length()), cellName);
          out.println(wallTime(started));
          if (result.isPresent()) {
            value = Optional.ofNullable(result.get().value()).or(() -> Optional.of(NULL));
            hasValue = true;
          }
        } else if (part.magic()) {
          Object result = runMagic(part.text());
          if (result != null) {
            value = Optional.of(result);
            hasValue = true;
          }
        } else {
          Optional<JavaEvaluator.CellValue> result = evaluator.eval(part.text(), cellName);
          if (result.isPresent()) {
            value = Optional.ofNullable(result.get().value()).or(() -> Optional.of(NULL));
            hasValue = true;
          }
        }
      }
      if (timeCell) {
        out.println(wallTime(cellStarted));
      }
      out.flush();
      err.flush();
      if (!hasValue) {
        return Optional.empty();
      }
      Object shown = value.get() == NULL ? null : value.get();
      try {
        return Optional.of(Displays.render(shown));
      } catch (RuntimeException e) {
        throw new CellException(e.getClass().getName(), "Tried to show the cell's value but failed because: "
            + e.getMessage(), List.of(e.toString()));
      }
    } finally {
      out.flush();
      err.flush();
      Displays.attach(null);
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
  }

  private static final Object NULL = new Object();

  /** {@code %time <java>}: runs the rest of the line and says how long it took, as IPython's %time does. */
  private static boolean isTimeLine(String line) {
    String text = line.strip();
    return text.equals("%time") || text.startsWith("%time ") || text.startsWith("%time\t");
  }

  private static String wallTime(long startedNanos) {
    double millis = (System.nanoTime() - startedNanos) / 1e6;
    return millis < 1_000 ? String.format(java.util.Locale.ROOT, "Wall time: %.1f ms", millis)
        : String.format(java.util.Locale.ROOT, "Wall time: %.2f s", millis / 1_000);
  }

  private Object runMagic(String line) throws CellException {
    try {
      return magics.run(line);
    } catch (Magics.MagicException e) {
      throw new CellException("MagicError", e.getMessage(), List.of("MagicError (" + e.code() + "): " + e.getMessage()));
    } catch (JobBridgeException e) { // the job magics' calls to the bridge, shown as the magic's error
      throw new CellException("MagicError", e.getMessage(), List.of("MagicError (" + e.code() + "): " + e.getMessage()));
    } catch (SdkException e) {
      throw new CellException("SdkException", e.getMessage(), List.of("SdkException (" + e.code() + "): " + e.getMessage()));
    }
  }

  /** A run of Java code or one magic line. */
  record Part(boolean magic, String text) {}

  List<Part> parts(String code) {
    List<Part> parts = new java.util.ArrayList<>();
    StringBuilder java = new StringBuilder();
    for (String line : code.split("\n", -1)) {
      if (Magics.isMagicLine(line) && (java.toString().isBlank() || evaluator.isComplete(java.toString()).equals("complete"))) {
        if (!java.toString().isBlank()) {
          parts.add(new Part(false, java.toString()));
        }
        java.setLength(0);
        parts.add(new Part(true, line));
      } else {
        java.append(line).append('\n');
      }
    }
    if (!java.toString().isBlank()) {
      parts.add(new Part(false, java.toString()));
    }
    return parts;
  }

  /** Stops the running cell, or the one about to start (Jupyter's interrupt). */
  public void stop() {
    evaluator.stop();
  }

  /** Forgets an interrupt that arrived after its cell ended. */
  public void clearStop() {
    evaluator.clearStop();
  }

  public JavaEvaluator.Completions complete(String code, int cursor) {
    int lineStart = code.lastIndexOf('\n', Math.max(0, cursor - 1)) + 1;
    String line = code.substring(lineStart, cursor);
    if (line.stripLeading().startsWith("%")) {
      String typed = line.stripLeading().substring(1);
      int start = cursor - typed.length();
      List<String> names = new java.util.ArrayList<>(magics.names());
      names.add("time");
      return new JavaEvaluator.Completions(names.stream().filter(n -> n.startsWith(typed)).toList(), start, cursor);
    }
    return evaluator.complete(code, cursor);
  }

  public Optional<String> documentation(String code, int cursor) {
    return evaluator.documentation(code, cursor);
  }

  public String isComplete(String code) {
    StringBuilder java = new StringBuilder();
    for (String line : code.split("\n", -1)) {
      if (!(Magics.isMagicLine(line) && java.toString().isBlank())) {
        java.append(line).append('\n');
      }
    }
    return java.toString().isBlank() ? "complete" : evaluator.isComplete(java.toString());
  }

  @Override
  public void close() {
    evaluator.close();
  }

  /** Collects bytes and hands them on as text at each flush (PrintStream flushes at line ends). */
  private static final class ForwardingStream extends OutputStream {
    private final Consumer<String> target;
    private final java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();

    ForwardingStream(Consumer<String> target) {
      this.target = target;
    }

    @Override
    public synchronized void write(int b) {
      buffer.write(b);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
      buffer.write(bytes, offset, length);
    }

    @Override
    public synchronized void flush() {
      if (buffer.size() > 0) {
        String text = buffer.toString(StandardCharsets.UTF_8);
        buffer.reset();
        target.accept(text);
      }
    }
  }
}
