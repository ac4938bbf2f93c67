package dev.cleanroom.kernel.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.ledger.Charge;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.kernel.runner.NotebookRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exploration tutorial (notebooks/insurance-explore.ipynb) runs from top to bottom in stage 1, and what it
 * spends is what its text says: four DP questions, the group-by over four regions charged once.
 */
class ExplorationTutorialTest {
  private static final Path TUTORIAL = Path.of("..", "notebooks", "insurance-explore.ipynb");

  @Test
  void stage1_runsEveryCell_andChargesEachDpQuestionOnce(@TempDir Path dir) throws Exception {
    try (PrivacyLedger ledger = InsuranceStages.stage1(dir)) {
      NotebookRunner.Result result = new NotebookRunner(Duration.ofMinutes(2), Duration.ofMinutes(5))
          .run(TUTORIAL, dir.resolve("executed.ipynb"));

      assertTrue(result.succeeded(), result.message());
      assertEquals(List.of("count()", "mean(charges)", "histogram(smoker)", "mean(charges) where smoker=no group by region"),
          ledger.charges("insurance").stream().map(Charge::description).toList());
      assertEquals(0.9, ledger.spent("alice", "insurance").epsilon(), 1e-9);
      String executed = Files.readString(dir.resolve("executed.ipynb"));
      assertTrue(executed.contains("group by region  ·  cost ε 0.5000 for all 4 groups"),
          "the group-by's answer is shown with its one cost: " + executed.substring(executed.indexOf("group by region")));
    }
  }
}
