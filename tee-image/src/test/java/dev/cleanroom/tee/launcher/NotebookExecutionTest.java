package dev.cleanroom.tee.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.attestation.manifest.JobOutcome;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NotebookExecutionTest {
  private static final Duration CELL = Duration.ofSeconds(5);
  private static final Duration TOTAL = Duration.ofSeconds(60);

  private static JobOutcome outcome(boolean succeeded, int cellsRun, String message) {
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    result.put("succeeded", succeeded).put("cellsRun", cellsRun).put("message", message);
    return NotebookExecution.outcome(result, CELL, TOTAL);
  }

  @Test
  void outcome_allCellsRan_succeeded() {
    assertEquals(JobOutcome.succeeded(), outcome(true, 4, "ran 4 code cells"));
  }

  @Test
  void outcome_aFailingCell_namesTheCellButNotItsError() {
    assertEquals(JobOutcome.failed("code cell 2 raised an error; the executed notebook shows it (an output, released after review)"),
        outcome(false, 2, "cell [2] failed: IllegalStateException: mean charges were 13270.42"));
  }

  @Test
  void outcome_aFailingCellWhoseErrorMentionsATimeout_isStillAFailure() {
    // The error text is the notebook's: it must not be able to pass for the runner's own timeout sentence.
    assertEquals(JobOutcome.Status.FAILED,
        outcome(false, 3, "cell [3] failed: RuntimeException: the per-cell timeout and the total timeout").status());
  }

  @Test
  void outcome_thePerCellTimeout_timedOut() {
    assertEquals(JobOutcome.timedOut("code cell 1 ran past the per-cell limit of 5 s and was stopped"),
        outcome(false, 1, "cell [1] was stopped after the per-cell timeout of 5 s."));
  }

  @Test
  void outcome_theTotalTimeout_timedOut() {
    assertEquals(JobOutcome.timedOut("the notebook ran past its limit of 60 s and was stopped at code cell 7"),
        outcome(false, 7, "The notebook's total timeout of 60 s ran out before this cell started."));
  }

  @Test
  void environment_isTheStageAndTheFoldersOnly() {
    var env = NotebookExecution.environment(Path.of("/input"), Path.of("/job/outputs"), Path.of("/app/notebook-lib"));
    assertEquals("execution", env.get("DCR_STAGE"));
    assertEquals("/app/notebook-lib", env.get("DCR_NOTEBOOK_LIBRARIES"));
    assertEquals("/input", env.get("DCR_INPUT_DIR"));
    assertEquals("/job/outputs", env.get("DCR_OUTPUT_DIR"));
    env.keySet().forEach(name -> assertEquals(true,
        java.util.Set.of("DCR_STAGE", "DCR_INPUT_DIR", "DCR_OUTPUT_DIR", "DCR_NOTEBOOK_LIBRARIES", "PATH", "JAVA_HOME", "LANG", "TZ", "HOME").contains(name), name));
  }
}
