package dev.cleanroom.kernel.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.kernel.runner.NotebookRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The regression tutorial (notebooks/insurance-regression.ipynb) runs unchanged in both stages: in stage 1 it
 * reports its RMSEs on the synthetic view; in stage 2 on the same synthetic view, on the real rows, and of the
 * synthetic-trained models on the real rows. The synthetic view here is the published MST output
 * (anchor-mst-synthetic.csv), so the least-squares RMSEs are fixed numbers.
 */
class RegressionTutorialTest {
  private static final Path TUTORIAL = Path.of("..", "notebooks", "insurance-regression.ipynb");

  private static JsonObject run(Path dir, Path outputs) throws Exception {
    NotebookRunner.Result result = new NotebookRunner(Duration.ofMinutes(2), Duration.ofMinutes(5))
        .run(TUTORIAL, dir.resolve("executed.ipynb"));
    assertTrue(result.succeeded(), result.message());
    return JsonParser.parseString(Files.readString(outputs.resolve("metrics.json"))).getAsJsonObject();
  }

  @Test
  void stage1_reportsTheRmsesOnTheSyntheticViewOnly(@TempDir Path dir) throws Exception {
    JsonObject metrics;
    try (PrivacyLedger ledger = InsuranceStages.stage1(dir)) {
      metrics = run(dir, dir.resolve("scratch"));
    }
    assertEquals(List.of("stage", "synthetic"), List.copyOf(metrics.keySet()));
    assertEquals("exploration", metrics.get("stage").getAsString());
    assertEquals(1334, metrics.getAsJsonObject("synthetic").get("rows").getAsInt());
    assertEquals(13_046.0, metrics.getAsJsonObject("synthetic").get("rmse_linear").getAsDouble(), 0.5);
    assertTrue(Files.readString(dir.resolve("scratch/linear-model.txt")).startsWith("charges = "));
  }

  @Test
  void stage2_reportsSyntheticRealAndTheSyntheticModelsOnTheRealRows(@TempDir Path dir) throws Exception {
    Path insurance = InsuranceStages.stage2(dir);
    Files.copy(InsuranceStages.INSURANCE.resolve("anchor-mst-synthetic.csv"), insurance.resolve("synthetic.csv"));

    JsonObject metrics = run(dir, dir.resolve("output"));
    assertEquals(List.of("stage", "synthetic", "real", "synthetic_model_on_real"), List.copyOf(metrics.keySet()));
    assertEquals(13_046.0, metrics.getAsJsonObject("synthetic").get("rmse_linear").getAsDouble(), 0.5,
        "the same synthetic view gives the stage-1 numbers");
    assertEquals(1338, metrics.getAsJsonObject("real").get("rows").getAsInt());
    assertEquals(4_771.4, metrics.getAsJsonObject("real").get("rmse_linear").getAsDouble(), 0.5);
    assertEquals(10_424.7, metrics.getAsJsonObject("synthetic_model_on_real").get("rmse_linear").getAsDouble(), 0.5);
    for (String scores : List.of("synthetic", "real", "synthetic_model_on_real")) {
      double trees = metrics.getAsJsonObject(scores).get("rmse_trees").getAsDouble();
      assertTrue(trees > 1_000 && trees < 20_000, scores + " trees " + trees);
    }
    String model = Files.readString(dir.resolve("output/linear-model.txt"));
    assertTrue(model.startsWith("charges = -2348.233 * intercept"), "the model fitted on the real rows: " + model);
  }
}
