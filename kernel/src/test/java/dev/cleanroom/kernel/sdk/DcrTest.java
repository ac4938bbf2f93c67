package dev.cleanroom.kernel.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.kernel.display.Displays;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** The notebook SDK in stage 1 against the real engine and a SQLite ledger, and in stage 2 on real rows. */
class DcrTest {
  private static final Path INSURANCE = InsuranceStages.INSURANCE;
  /** The rows of anchor-mst-synthetic.csv, the DP synthetic view these tests provision. */
  private static final int SYNTHETIC_ROWS = 1334;
  private final List<DisplayData> shown = new ArrayList<>();

  @AfterEach
  void detach() {
    Displays.attach(null);
  }

  private void stage1(Path dir) throws Exception {
    stage1(dir, PolicyFile.read(INSURANCE.resolve("policy.yaml")));
  }

  /** Stage 1 with the DP query service's engine serving the insurance dataset under {@code policy}. */
  private void stage1(Path dir, DatasetPolicy policy) throws Exception {
    InsuranceStages.stage1(dir, policy);
    Displays.attach(shown::add);
  }

  private static String text(DisplayData data) {
    return String.valueOf(data.getData(MIMEType.TEXT_PLAIN));
  }

  @Test
  void stage1_tableIsTheSyntheticViewWithDeclaredTypes(@TempDir Path dir) throws Exception {
    stage1(dir);
    Dataset insurance = Dcr.dataset("insurance");
    Table table = insurance.table();
    assertEquals("synthetic", insurance.view());
    assertEquals("insurance (synthetic)", table.name());
    assertEquals(List.of("age", "sex", "bmi", "children", "smoker", "region", "charges"), table.columnNames());
    assertEquals("DOUBLE", table.column("charges").type().name());
  }

  @Test
  void stage1_syntheticIsTheSyntheticViewAsTableShowsIt(@TempDir Path dir) throws Exception {
    stage1(dir);
    Table synthetic = Dcr.dataset("insurance").synthetic();
    assertEquals("insurance (synthetic)", synthetic.name());
    assertEquals(SYNTHETIC_ROWS, synthetic.rowCount());
    assertEquals(Dcr.dataset("insurance").table().rowCount(), synthetic.rowCount());
    assertEquals("DOUBLE", synthetic.column("charges").type().name());
  }

  @Test
  void stage1_syntheticWhereTheProviderOffersNone_saysWhatToUseInstead(@TempDir Path dir) throws Exception {
    String yaml = Files.readString(INSURANCE.resolve("policy.yaml"));
    stage1(dir, PolicyFile.parse(yaml.replace("views: [dp-query, synthetic, mock]", "views: [dp-query, mock]"), "policy.yaml"));
    SdkException error = assertThrows(SdkException.class, () -> Dcr.dataset("insurance").synthetic());
    assertEquals("no_synthetic_view", error.code());
    assertTrue(error.getMessage().contains("turned on dp-query, mock") && error.getMessage().contains("table()"),
        error.getMessage());
  }

  @Test
  void stage1_dpAnswerIsChargedAndShownWithCostAndBudgetLeft(@TempDir Path dir) throws Exception {
    stage1(dir);
    double mean = Dcr.dataset("insurance").dp().mean("charges", 0.5);
    assertTrue(mean > 5_000 && mean < 25_000, "mean " + mean);
    assertEquals(1, shown.size());
    String line = text(shown.get(0));
    assertTrue(line.startsWith("DP mean(charges) = "), line);
    assertTrue(line.contains("cost ε 0.5") && line.contains("left on insurance: ε 1.5"), line);
    assertEquals(0.5, Dcr.budget().datasets().get(0).spent().epsilon(), 1e-9);
  }

  @Test
  void stage1_aFilteredQueryCostsWhatTheQueryCosts_andSaysWhichRows(@TempDir Path dir) throws Exception {
    stage1(dir);
    long smokers = Dcr.dataset("insurance").dp().where("smoker", "yes").count(1.0);

    // 274 of the 1,338 rows are smokers; Laplace noise at ε 1 has scale 1.
    assertTrue(Math.abs(smokers - 274) < 40, "smokers " + smokers);
    assertTrue(text(shown.get(0)).startsWith("DP count() where smoker=yes = "), text(shown.get(0)));
    assertEquals(1.0, Dcr.budget().datasets().get(0).spent().epsilon(), 1e-9);
  }

  @Test
  void stage1_aGroupByAnswersEveryRegionForTheCostOfOne(@TempDir Path dir) throws Exception {
    stage1(dir);
    Map<String, Double> byRegion = Dcr.dataset("insurance").dp().where("smoker", "no").by("region").mean("charges", 0.5);

    assertEquals(List.of("northeast", "northwest", "southeast", "southwest"), List.copyOf(byRegion.keySet()));
    byRegion.values().forEach(mean -> assertTrue(mean >= 0 && mean <= 65_000, byRegion.toString()));
    assertEquals(0.5, Dcr.budget().datasets().get(0).spent().epsilon(), 1e-9);
    String shownText = text(shown.get(0));
    assertTrue(shownText.startsWith("DP mean(charges) where smoker=no group by region  ·  cost ε 0.5"), shownText);
    assertTrue(shownText.contains("for all 4 groups") && shownText.contains("left on insurance: ε 1.5")
        && shownText.contains("\nDP   southwest: ") && shownText.contains("(noise scale "), shownText);
  }

  @Test
  void stage1_aGroupByOnANumericColumnFailsWithTheServicesCode(@TempDir Path dir) throws Exception {
    stage1(dir);
    SdkException error = assertThrows(SdkException.class, () -> Dcr.dataset("insurance").dp().by("age").count(0.1));
    assertEquals("wrong_column_type", error.code());
    SdkException twice = assertThrows(SdkException.class,
        () -> Dcr.dataset("insurance").dp().where("smoker", "no").where("smoker", "yes"));
    assertEquals("invalid_request", twice.code());
    assertEquals(0, Dcr.budget().datasets().get(0).spent().epsilon(), 1e-12);
  }

  @Test
  void stage1_overBudgetQueryFailsWithTheServicesCode(@TempDir Path dir) throws Exception {
    stage1(dir);
    DpQueries dp = Dcr.dataset("insurance").dp();
    dp.count(1.0);
    dp.count(1.0);
    SdkException error = assertThrows(SdkException.class, () -> dp.count(0.5));
    assertEquals("budget_exhausted", error.code());
  }

  @Test
  void unknownDataset_listsTheAvailableOnes(@TempDir Path dir) throws Exception {
    stage1(dir);
    SdkException error = assertThrows(SdkException.class, () -> Dcr.dataset("payroll"));
    assertEquals("unknown_dataset", error.code());
    assertTrue(error.getMessage().contains("insurance"), error.getMessage());
  }

  @Test
  void output_refusesPathsOutsideTheOutputFolder(@TempDir Path dir) throws Exception {
    stage1(dir);
    for (String name : List.of("../x.txt", "/etc/passwd", "a/../../b", "", "plots/..")) {
      assertEquals("invalid_output_name", assertThrows(SdkException.class, () -> Dcr.output(name)).code(), name);
    }
    Output output = Dcr.output("plots/summary.txt").write("ok");
    assertEquals(dir.resolve("scratch/plots/summary.txt").toAbsolutePath().normalize(), output.path());
    assertEquals("ok", Files.readString(output.path()));
  }

  @Test
  void stage2_readsRealRowsAndWritesOutputsToTheOutputFolder(@TempDir Path dir) throws Exception {
    stage2(dir);
    Displays.attach(shown::add);
    assertEquals(Stage.EXECUTION, Dcr.stage());
    assertEquals(List.of("insurance"), Dcr.datasets());
    assertEquals(1338, Dcr.dataset("insurance").table().rowCount());
    long rows = Dcr.dataset("insurance").dp().count(1.0);
    assertTrue(Math.abs(rows - 1338) < 100);
    assertTrue(text(shown.get(0)).contains("stage 2: not charged to a budget"));
    Dcr.output("model.txt").write("coefficients");
    assertEquals("coefficients", Files.readString(dir.resolve("output/model.txt")));
  }

  @Test
  void stage2_filtersAndGroupsTheRealRowsAsStage1Does(@TempDir Path dir) throws Exception {
    stage2(dir);
    Displays.attach(shown::add);
    Map<String, Long> bySmoker = Dcr.dataset("insurance").dp().by("smoker").count(1.0);
    long southeastSmokers = Dcr.dataset("insurance").dp().where("region", "southeast").where("smoker", "yes").count(1.0);

    assertEquals(List.of("yes", "no"), List.copyOf(bySmoker.keySet()));
    assertTrue(Math.abs(bySmoker.get("yes") - 274) < 40 && Math.abs(bySmoker.get("no") - 1064) < 40, bySmoker.toString());
    // 91 of the 364 southeast rows are smokers.
    assertTrue(Math.abs(southeastSmokers - 91) < 40, "southeast smokers " + southeastSmokers);
    assertTrue(text(shown.get(0)).contains("stage 2: not charged to a budget"), text(shown.get(0)));
    SdkException error = assertThrows(SdkException.class,
        () -> Dcr.dataset("insurance").dp().where("region", "arctic").count(0.1));
    assertEquals("unknown_category", error.code());
  }

  @Test
  void stage2_syntheticReadsTheSyntheticInputBesideTheRealRows(@TempDir Path dir) throws Exception {
    Path insurance = stage2(dir);
    Files.copy(INSURANCE.resolve("anchor-mst-synthetic.csv"), insurance.resolve("synthetic.csv"));
    Dataset dataset = Dcr.dataset("insurance");
    Table synthetic = dataset.synthetic();
    assertEquals("insurance (synthetic)", synthetic.name());
    assertEquals(SYNTHETIC_ROWS, synthetic.rowCount());
    assertEquals("DOUBLE", synthetic.column("charges").type().name());
    assertEquals(1338, dataset.table().rowCount(), "table() still gives the real rows");
  }

  @Test
  void stage2_syntheticWithoutTheInput_saysTheProviderOffersNone(@TempDir Path dir) throws Exception {
    stage2(dir);
    SdkException error = assertThrows(SdkException.class, () -> Dcr.dataset("insurance").synthetic());
    assertEquals("no_synthetic_view", error.code());
    assertTrue(error.getMessage().contains("Use table() for the real rows"), error.getMessage());
  }

  private Path stage2(Path dir) throws Exception {
    return InsuranceStages.stage2(dir);
  }

  @Test
  void stage1_withoutADpService_saysWhatIsMissing() {
    Dcr.use(Environment.of(Map.of()), null);
    SdkException error = assertThrows(SdkException.class, Dcr::datasets);
    assertEquals("no_dp_service", error.code());
    assertEquals(Optional.empty(), Environment.of(Map.of()).dpUrl());
  }

  @Test
  void stage_isReadOnlyFromTheEnvironmentAndRejectsUnknownValues() {
    assertEquals(Stage.EXPLORATION, Environment.of(Map.of()).stage());
    assertEquals("invalid_stage", assertThrows(SdkException.class,
        () -> Environment.of(Map.of("DCR_STAGE", "production"))).code());
  }
}
