package dev.cleanroom.kernel.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JavaEvaluatorTest {
  private static JavaEvaluator evaluator;

  @BeforeAll
  static void start() {
    evaluator = JavaEvaluator.start();
  }

  @AfterAll
  static void close() {
    evaluator.close();
  }

  private static Object value(String code) throws CellException {
    return evaluator.eval(code, "cell [1]").orElseThrow().value();
  }

  @Test
  void eval_finalExpression_isTheCellsValueAsTheRealObject() throws CellException {
    Object list = value("var xs = new ArrayList<Integer>();\nxs.add(4);\nxs");
    assertEquals(java.util.List.of(4), list);
  }

  @Test
  void eval_declarationOrStatementLast_hasNoValue() throws CellException {
    assertTrue(evaluator.eval("int declared = 3;", "cell [1]").isEmpty());
    assertTrue(evaluator.eval("declared++;\nint other = declared;", "cell [1]").isEmpty());
  }

  @Test
  void eval_compileError_namesCellLineAndPosition() {
    CellException error = assertThrows(CellException.class, () -> evaluator.eval("int ok = 1;\nint bad = \"s\";", "cell [7]"));
    assertEquals("CompilationError", error.name());
    assertTrue(error.traceback().get(0).startsWith("Compilation error in cell [7], line 2, column 11:"),
        error.traceback().toString());
    assertTrue(error.value().startsWith("line 2, column 11: incompatible types"), error.value());
  }

  @Test
  void eval_compileErrorInASecondSnippetOnALine_countsColumnsFromTheLineStart() {
    CellException error = assertThrows(CellException.class,
        () -> evaluator.eval("int a = 1; int b = \"x\";", "cell [8]"));
    assertTrue(error.value().startsWith("line 1, column 20: "), error.value());
  }

  @Test
  void eval_exception_keepsClassAndMessageAndDropsJShellFrames() {
    CellException error = assertThrows(CellException.class,
        () -> evaluator.eval("int half(int x) {\n  return 10 / x;\n}\nhalf(0);", "cell [2]"));
    assertEquals("java.lang.ArithmeticException", error.name());
    assertEquals("/ by zero", error.value());
    String trace = String.join("\n", error.traceback());
    assertTrue(trace.contains("at half (cell [2], line 2)"), trace);
    assertFalse(trace.contains("jdk.jshell") || trace.contains("jdk.internal") || trace.contains("do_it$"), trace);
  }

  @Test
  void stop_endsABusyLoopAndTheSessionGoesOn() throws Exception {
    assertStops("while (true) { }");
    assertEquals(2, value("1 + 1"));
  }

  @Test
  void stop_endsASleepingCell() throws Exception {
    assertStops("Thread.sleep(60_000);");
  }

  @Test
  void systemExit_inACell_failsTheCellAndTheJvmLivesOn() throws CellException {
    CellException error = assertThrows(CellException.class, () -> evaluator.eval("System.exit(3);", "cell [1]"));
    assertEquals("SystemExit", error.name());
    assertTrue(error.value().contains("System.exit(3)"), error.value());
    assertEquals(5, value("2 + 3"));
  }

  @Test
  void isComplete_distinguishesCompleteIncompleteAndInvalid() {
    assertEquals("complete", evaluator.isComplete("int a = 1;\na + 1"));
    assertEquals("    ", evaluator.isComplete("for (int i = 0; i < 2; i++) {"));
    assertEquals("invalid", evaluator.isComplete("}"));
  }

  @Test
  void complete_offersMembersAtTheCursorInALaterSnippet() {
    String code = "int a = 1;\nSystem.out.prin";
    JavaEvaluator.Completions completions = evaluator.complete(code, code.length());
    assertTrue(completions.matches().contains("println("), completions.toString());
    assertEquals(code.length() - "prin".length(), completions.start());
  }

  @Test
  void documentation_givesTheSignature() {
    Optional<String> doc = evaluator.documentation("Math.max", "Math.max".length());
    assertTrue(doc.orElse("").contains("max(int"), doc.toString());
  }

  private static void assertStops(String code) throws Exception {
    CompletableFuture<CellException> outcome = CompletableFuture.supplyAsync(() -> {
      try {
        evaluator.eval(code, "cell [1]");
        return null;
      } catch (CellException e) {
        return e;
      }
    });
    while (!evaluator.isEvaluating()) {
      Thread.sleep(10);
    }
    Thread.sleep(300);
    Instant stopped = Instant.now();
    evaluator.stop();
    CellException error = outcome.get();
    assertTrue(Duration.between(stopped, Instant.now()).toMillis() < 2_000);
    assertEquals("Interrupted", error == null ? "no error" : error.name());
  }
}
