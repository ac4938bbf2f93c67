package dev.cleanroom.kernel.eval;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.UnresolvedReferenceException;

/**
 * Evaluates Java cells with JShell in this JVM: one cell may hold several snippets (statements,
 * declarations, expressions); the value of a final expression is the cell's value.
 *
 * <p>Also answers the editor's questions about a cell: completions, documentation at the cursor,
 * whether the cell is complete. Used by both the Jupyter kernel and the headless notebook runner, so
 * a notebook behaves the same in both.
 *
 * <p>Invariant: cells are evaluated one at a time ({@link #eval} is synchronized); {@link #stop()}
 * may be called from another thread and ends the running cell within about a second.
 */
public final class JavaEvaluator implements AutoCloseable {
  /** Imports every cell sees; the notebook bundle's main packages and the clean room SDK. */
  public static final List<String> DEFAULT_IMPORTS = List.of(
      "java.util.*", "java.util.function.*", "java.util.stream.*", "java.io.*", "java.nio.file.*",
      "java.time.*", "java.math.*", "tech.tablesaw.api.*", "org.knowm.xchart.*", "dev.cleanroom.kernel.sdk.*",
      "static dev.cleanroom.kernel.sdk.Dcr.display");

  /** How long a stopped cell may take to reach a stop check before its thread is abandoned. */
  private static final long ABANDON_AFTER_MILLIS = 1_500;

  private final JShell shell;
  private final CellExecutionProvider engine;
  private final ScheduledExecutorService stopTimer;
  /** Snippet id → where its source sits, for tracebacks: "cell [n]" and the line offset. */
  private final Map<String, SnippetOrigin> origins = new ConcurrentHashMap<>();
  private volatile boolean evaluating;
  /** Set by {@link #stop()}, cleared when the cell ends; the execution engine checks it too. */
  private final AtomicBoolean stopRequested = new AtomicBoolean();

  /** Where a snippet's first non-blank line is in its cell, and how many blank lines its source starts with. */
  private record SnippetOrigin(String cell, int firstLine, int leadingNewlines) {
    int cellLine(int snippetLine) {
      return firstLine + Math.max(0, snippetLine - 1 - leadingNewlines);
    }
  }

  private JavaEvaluator(JShell shell, CellExecutionProvider engine) {
    this.shell = shell;
    this.engine = engine;
    this.stopTimer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "dcr-stop-timer");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Starts JShell with this JVM's class path (the notebook bundle) and the default imports. */
  public static JavaEvaluator start() {
    CellExecutionProvider engine = new CellExecutionProvider();
    // JShell's own streams carry nothing for in-process execution: cells print to System.out/err.
    PrintStream discard = new PrintStream(new ByteArrayOutputStream());
    JShell shell = JShell.builder()
        .executionEngine(engine, Map.of())
        .in(InputStream.nullInputStream())
        .out(discard)
        .err(discard)
        .build();
    shell.addToClasspath(System.getProperty("java.class.path"));
    JavaEvaluator evaluator = new JavaEvaluator(shell, engine);
    engine.control().stopFlag(evaluator.stopRequested);
    StringBuilder startup = new StringBuilder();
    DEFAULT_IMPORTS.forEach(name -> startup.append("import ").append(name).append(";\n"));
    startup.append("{ }\n"); // runs once through JShell's engine, which loads its stop-check class
    try {
      evaluator.eval(startup.toString(), "startup");
    } catch (CellException e) {
      throw new IllegalStateException("Tried to start the Java evaluator but failed because: "
          + e.value() + " (is the kernel's class path complete?)", e);
    }
    return evaluator;
  }

  /**
   * Makes a jar's classes importable by the cells that follow ({@code %maven}); asked of the loader JShell's
   * execution engine defines cells in, after this JVM's class path.
   */
  public synchronized void addToClasspath(java.nio.file.Path jar) {
    shell.addToClasspath(jar.toString());
  }

  /**
   * Evaluates a cell.
   *
   * @param code the cell's source
   * @param cellName how tracebacks name this cell, such as {@code cell [3]}
   * @return the value of the cell's final expression, if it ends with one
   * @throws CellException if a snippet did not compile, threw, or the cell was stopped
   */
  public synchronized Optional<CellValue> eval(String code, String cellName) throws CellException {
    evaluating = true;
    try {
      if (stopRequested.get()) {
        throw CellException.interrupted(); // interrupted before it started
      }
      CellValue value = null;
      for (Chunk chunk : split(code)) {
        value = null;
        List<SnippetEvent> events = shell.eval(chunk.source());
        SnippetEvent primary = events.stream().filter(e -> e.causeSnippet() == null).findFirst()
            .orElse(events.isEmpty() ? null : events.get(0));
        if (primary == null) {
          continue;
        }
        Snippet snippet = primary.snippet();
        origins.put(snippet.id(), new SnippetOrigin(cellName, chunk.firstLine(), leadingNewlines(snippet.source())));
        if (stopRequested.get()) {
          throw CellException.interrupted();
        }
        if (primary.status() == Snippet.Status.REJECTED) {
          throw compileError(snippet, chunk, cellName);
        }
        if (primary.exception() != null) {
          throw runtimeError(primary.exception());
        }
        Object raw = engine.control().takeLastValue();
        if (showsValue(snippet)) {
          value = new CellValue(raw, typeName(snippet));
        }
      }
      return Optional.ofNullable(value);
    } finally {
      evaluating = false;
      stopRequested.set(false);
    }
  }

  private static int leadingNewlines(String source) {
    String blank = source.substring(0, source.length() - source.stripLeading().length());
    return (int) blank.chars().filter(c -> c == '\n').count();
  }

  /** The value and static type of a cell's final expression. */
  public record CellValue(Object value, String typeName) {}

  private static boolean showsValue(Snippet snippet) {
    return snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND
        || snippet.subKind() == Snippet.SubKind.VAR_VALUE_SUBKIND;
  }

  private static String typeName(Snippet snippet) {
    if (snippet instanceof jdk.jshell.VarSnippet var) {
      return var.typeName();
    }
    if (snippet instanceof ExpressionSnippet expression) {
      return expression.typeName();
    }
    return "";
  }

  /**
   * Stops the running cell, or the next one to start if none is running yet (the kernel calls this
   * only while a cell is under way): woven stop checks end loops in cell code; threads blocked in
   * library code are interrupted, and abandoned after a short grace period.
   */
  public void stop() {
    stopRequested.set(true);
    CellExecutionControl control = engine.control();
    control.stop();
    stopTimer.schedule(() -> {
      if (evaluating && stopRequested.get()) {
        control.abandonRunningCell();
      }
    }, ABANDON_AFTER_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Forgets a stop that arrived when no cell was running, so it cannot end the next cell. */
  public void clearStop() {
    if (!evaluating) {
      stopRequested.set(false);
    }
  }

  /** Whether a cell is being evaluated right now. */
  public boolean isEvaluating() {
    return evaluating;
  }

  // ---- editor support ----

  /** Completions at {@code cursor}: the replacement texts and the range [start, cursor) they replace. */
  public Completions complete(String code, int cursor) {
    Chunk chunk = chunkAt(code, cursor);
    int relative = cursor - chunk.start();
    int[] anchor = new int[1];
    List<SourceCodeAnalysis.Suggestion> suggestions =
        shell.sourceCodeAnalysis().completionSuggestions(chunk.raw(), relative, anchor);
    Set<String> matches = new LinkedHashSet<>();
    suggestions.stream().filter(SourceCodeAnalysis.Suggestion::matchesType)
        .forEach(s -> matches.add(s.continuation()));
    suggestions.forEach(s -> matches.add(s.continuation()));
    return new Completions(List.copyOf(matches), chunk.start() + anchor[0], cursor);
  }

  /** Replacement texts for the range [start, end) of the cell. */
  public record Completions(List<String> matches, int start, int end) {}

  /** Signatures and javadoc of what is at the cursor (a method, a class, a field), if anything. */
  public Optional<String> documentation(String code, int cursor) {
    Chunk chunk = chunkAt(code, cursor);
    String text = chunk.raw();
    int at = Math.min(Math.max(cursor - chunk.start(), 0), text.length());
    int end = at;
    while (end < text.length() && Character.isJavaIdentifierPart(text.charAt(end))) {
      end++;
    }
    String upToName = text.substring(0, end);
    List<String> attempts = new ArrayList<>();
    String after = text.substring(end).stripLeading();
    if (after.startsWith("(")) {
      attempts.add(upToName + "(");
    } else {
      attempts.add(upToName + "(");
      attempts.add(upToName);
    }
    for (String attempt : attempts) {
      List<SourceCodeAnalysis.Documentation> docs =
          shell.sourceCodeAnalysis().documentation(attempt, attempt.length(), true);
      if (!docs.isEmpty()) {
        return Optional.of(docs.stream()
            .map(doc -> doc.javadoc() == null || doc.javadoc().isBlank()
                ? doc.signature()
                : doc.signature() + "\n\n" + doc.javadoc().strip())
            .distinct()
            .collect(Collectors.joining("\n\n")));
      }
    }
    return Optional.empty();
  }

  /** Jupyter's is_complete answer: {@code complete}, {@code invalid}, or an indent for the next line. */
  public String isComplete(String code) {
    String rest = code;
    while (true) {
      SourceCodeAnalysis.CompletionInfo info = shell.sourceCodeAnalysis().analyzeCompletion(rest);
      Completeness completeness = info.completeness();
      switch (completeness) {
        case EMPTY:
          return "complete";
        case COMPLETE:
        case COMPLETE_WITH_SEMI:
          if (info.remaining().isBlank()) {
            return "complete";
          }
          rest = info.remaining();
          break;
        case DEFINITELY_INCOMPLETE:
        case CONSIDERED_INCOMPLETE:
          return "    ";
        case UNKNOWN:
        default:
          return "invalid";
      }
    }
  }

  @Override
  public void close() {
    stopTimer.shutdownNow();
    shell.close();
  }

  // ---- splitting a cell into snippets ----

  /**
   * One snippet of a cell: JShell's completed source, the raw text, where it starts (its offset, the line of
   * its first non-blank character, and the column of its start in that line of the cell, from 0).
   */
  record Chunk(String source, String raw, int start, int firstLine, int startColumn) {}

  List<Chunk> split(String code) {
    List<Chunk> chunks = new ArrayList<>();
    int start = 0;
    String rest = code;
    while (!rest.isBlank()) {
      SourceCodeAnalysis.CompletionInfo info = shell.sourceCodeAnalysis().analyzeCompletion(rest);
      boolean complete = info.completeness().isComplete();
      int consumed = complete ? rest.length() - info.remaining().length() : rest.length();
      String raw = rest.substring(0, consumed);
      int leading = raw.length() - raw.stripLeading().length();
      String source = complete && info.source() != null ? info.source() : raw;
      if (info.completeness() != Completeness.EMPTY) {
        chunks.add(new Chunk(source, raw, start, lineOf(code, start + leading), columnOf(code, start)));
      }
      start += consumed;
      rest = code.substring(start);
      if (!complete || consumed == 0) {
        break;
      }
    }
    return chunks;
  }

  private Chunk chunkAt(String code, int cursor) {
    Chunk last = new Chunk(code, code, 0, 1, 0);
    for (Chunk chunk : split(code)) {
      last = chunk;
      if (chunk.start() + chunk.raw().length() >= cursor) {
        return chunk;
      }
    }
    // Cursor in trailing text after the last complete snippet.
    if (last.start() + last.raw().length() < cursor) {
      int start = last.start() + last.raw().length();
      return new Chunk(code.substring(start), code.substring(start), start, lineOf(code, start), columnOf(code, start));
    }
    return last;
  }

  private static int columnOf(String code, int offset) {
    return offset - (code.lastIndexOf('\n', offset - 1) + 1);
  }

  private static int lineOf(String code, int offset) {
    int line = 1;
    for (int i = 0; i < offset && i < code.length(); i++) {
      if (code.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  // ---- errors ----

  private CellException compileError(Snippet snippet, Chunk chunk, String cellName) {
    List<Diag> diagnostics = shell.diagnostics(snippet).filter(Diag::isError).toList();
    if (diagnostics.isEmpty()) {
      diagnostics = shell.diagnostics(snippet).toList();
    }
    List<String> lines = new ArrayList<>();
    String first = "the snippet was rejected";
    String source = snippet.source();
    for (Diag diag : diagnostics) {
      int position = (int) Math.max(0, Math.min(diag.getPosition(), source.length()));
      int lineStart = source.lastIndexOf('\n', position - 1) + 1;
      int lineEnd = source.indexOf('\n', position);
      lineEnd = lineEnd < 0 ? source.length() : lineEnd;
      int snippetLine = 1 + (int) source.substring(0, lineStart).chars().filter(c -> c == '\n').count();
      int line = new SnippetOrigin(cellName, chunk.firstLine(), leadingNewlines(source)).cellLine(snippetLine);
      // A snippet's first line may start after another snippet on the same line of the cell.
      int column = (snippetLine == 1 ? chunk.startColumn() : 0) + position - lineStart + 1;
      String where = "line " + line + ", column " + column;
      if (lines.isEmpty()) {
        first = where + ": " + message(diag);
      }
      lines.add("Compilation error in " + cellName + ", " + where + ": " + message(diag));
      lines.add("    " + source.substring(lineStart, lineEnd));
      lines.add("    " + " ".repeat(Math.max(0, position - lineStart)) + "^");
    }
    if (diagnostics.isEmpty()) {
      lines.add("Compilation error in " + cellName + ": " + first);
    }
    return new CellException("CompilationError", first, lines);
  }

  private static String message(Diag diag) {
    return diag.getMessage(Locale.ROOT).lines().findFirst().orElse("").strip();
  }

  private CellException runtimeError(JShellException exception) {
    if (exception instanceof UnresolvedReferenceException unresolved) {
      String name = unresolved.getSnippet() instanceof jdk.jshell.DeclarationSnippet declaration
          ? declaration.name() : "a declaration";
      String message = name + " cannot be used until "
          + shell.unresolvedDependencies((jdk.jshell.DeclarationSnippet) unresolved.getSnippet())
              .collect(Collectors.joining(", ")) + " is declared";
      return new CellException("UnresolvedReference", message, List.of("UnresolvedReference: " + message));
    }
    EvalException eval = (EvalException) exception;
    String className = eval.getExceptionClassName();
    String message = eval.getMessage() == null ? "" : eval.getMessage();
    List<String> lines = new ArrayList<>();
    Throwable current = eval;
    boolean top = true;
    while (current != null) {
      String currentName = current instanceof EvalException e ? e.getExceptionClassName() : current.getClass().getName();
      String currentMessage = current.getMessage();
      lines.add((top ? "" : "Caused by: ") + currentName + (currentMessage == null ? "" : ": " + currentMessage));
      for (StackTraceElement frame : trimmed(current.getStackTrace())) {
        lines.add("    at " + describe(frame));
      }
      top = false;
      current = current.getCause() == current ? null : current.getCause();
    }
    if (className.equals(SystemExitRefusedException.class.getName())) {
      return new CellException("SystemExit", message, List.of("SystemExit: " + message));
    }
    return new CellException(className, message, lines);
  }

  /** Frames down to the outermost snippet frame: below it is only JShell and reflection. */
  private static List<StackTraceElement> trimmed(StackTraceElement[] frames) {
    int last = -1;
    for (int i = 0; i < frames.length; i++) {
      if (isSnippetFrame(frames[i])) {
        last = i;
      }
    }
    List<StackTraceElement> kept = new ArrayList<>();
    for (int i = 0; i <= (last < 0 ? frames.length - 1 : last); i++) {
      String className = frames[i].getClassName();
      if (className.startsWith("jdk.internal.reflect.") || className.startsWith("REPL.$Cancel$")) {
        continue;
      }
      kept.add(frames[i]);
    }
    return kept;
  }

  /** JShell reports snippet frames with the file name "#id" and wrapper class names removed. */
  private static boolean isSnippetFrame(StackTraceElement frame) {
    return frame.getFileName() != null && frame.getFileName().startsWith("#") || frame.getClassName().startsWith("REPL.");
  }

  private String describe(StackTraceElement frame) {
    if (!isSnippetFrame(frame)) {
      return frame.toString();
    }
    // REPL.$JShell$12$Point.norm → Point.norm; the cell's own top-level code has no class or method name.
    String simple = frame.getClassName().replaceFirst("^REPL\\.\\$JShell\\$\\d+\\$?", "").replace('$', '.');
    String method = frame.getMethodName();
    String where = where(frame);
    if (method.isEmpty() || method.startsWith("do_it$")) {
      return where;
    }
    return (simple.isEmpty() ? method : simple + "." + method) + " (" + where + ")";
  }

  private String where(StackTraceElement frame) {
    String file = frame.getFileName();
    SnippetOrigin origin = file != null && file.startsWith("#") ? origins.get(file.substring(1)) : null;
    if (origin == null) {
      return "cell";
    }
    return origin.cell() + ", line " + origin.cellLine(Math.max(1, frame.getLineNumber()));
  }
}
