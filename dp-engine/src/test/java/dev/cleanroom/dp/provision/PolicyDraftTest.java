package dev.cleanroom.dp.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyException;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.testing.InsuranceData;
import dev.cleanroom.dp.testing.PatientsWithGaps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyDraftTest {
  private static final PrivacyCost COST = new PrivacyCost(1.0, 1e-7);

  @TempDir Path dir;

  private static CsvFile insurance() throws IOException {
    return CsvFile.read(InsuranceData.CSV);
  }

  private static String draft(CsvFile csv, boolean reveal) {
    return PolicyDraft.infer(csv, "insurance", "pat", reveal, COST).yaml();
  }

  @Test
  void aDraftCopiesNoBoundFromTheData_itsBoundsAreDpEstimatesWithinItsSpend() throws IOException {
    PolicyDraft.Draft draft = PolicyDraft.infer(insurance(), "insurance", "pat", false, COST);

    assertFalse(draft.yaml().contains("63770"), "the largest charge is one person's value");
    assertFalse(draft.yaml().contains("1121.87"), "the smallest charge is one person's value");
    assertTrue(draft.spent().fitsWithin(COST), draft.spent().toString());
    assertTrue(draft.spent().epsilon() > 0.9, draft.spent().toString());
    DatasetPolicy policy = PolicyFile.parse(draft.yaml(), "draft.yaml");
    // Bounds come from a public grid of round numbers, never from a row.
    for (ColumnPolicy column : policy.columns()) {
      if (column instanceof ColumnPolicy.Numeric numeric) {
        assertTrue(isOnTheGrid(numeric.lower()) && isOnTheGrid(numeric.upper()), numeric.toString());
      }
    }
    assertEquals(draft.spent(), policy.drafted().orElseThrow().spent());
    assertTrue(policy.column("smoker").orElseThrow() instanceof ColumnPolicy.Categorical c
        && c.categories().containsAll(List.of("no", "yes")), policy.column("smoker").toString());
  }

  private static boolean isOnTheGrid(double value) {
    double magnitude = Math.abs(value);
    if (magnitude == 0) {
      return true;
    }
    double leading = magnitude / Math.pow(10, Math.floor(Math.log10(magnitude)));
    return List.of(1.0, 2.0, 5.0).stream().anyMatch(step -> Math.abs(leading - step) < 1e-9);
  }

  /** Attack (issue 15, 3): the count of rare values was exact, so one person decided whether a value showed. */
  @Test
  void aValueOnePersonHoldsIsNeverListed_aCommonOneIs() {
    // Ten pilots: the old exact cut-off of 10 rows listed them, and one pilot less hid them.
    CsvFile csv = new CsvFile(List.of("job"), Stream.of(
        Stream.generate(() -> List.of("nurse")).limit(2000), Stream.generate(() -> List.of("pilot")).limit(10),
        Stream.of(List.of("astronaut"))).flatMap(s -> s).toList());
    String draft = draft(csv, false);
    assertTrue(draft.contains("categories: [\"nurse\"]"), draft);
    assertFalse(draft.contains("astronaut"), "a value seen once could identify its person");
    assertFalse(draft.contains("pilot"), "whether ten rows show must not hang on one person");
  }

  /**
   * DP review, 4: the key release's categories came back through NewStringUTF, which reads modified UTF-8, so a
   * character outside the BMP was mangled in the draft.
   */
  @Test
  void aCategoryWithAnEmoji_reachesTheDraftIntact() {
    CsvFile csv = new CsvFile(List.of("mood"), Stream.of(
        Stream.generate(() -> List.of("\uD83D\uDE00x")).limit(2000), Stream.generate(() -> List.of("ok")).limit(2000))
        .flatMap(s -> s).toList());
    String draft = draft(csv, false);
    assertTrue(draft.contains("\"\uD83D\uDE00x\""), draft);
  }

  /** Attack (issue 15, 3): one "NA" turned a numeric column into a categorical one listing its values. */
  @Test
  void missingMarkersAreMissing_aNumericColumnWithSomeStaysNumeric() {
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      rows.add(List.of(Integer.toString(20 + i % 40), List.of("NA", "N/A", "", "null", "NaN", "nurse").get(i % 6)));
    }
    rows.add(List.of("NA", "nurse"));
    rows.add(List.of("n/a", "nurse"));
    String draft = draft(new CsvFile(List.of("age", "job"), rows), true);
    assertTrue(draft.contains("age: {type: integer, lower: 20, upper: 59, missing: {mock_rate: 0.001}}"), draft);
    assertTrue(draft.contains("job: {type: categorical, categories: [\"nurse\"], missing: {mock_rate: 0.833}}"), draft);

    String estimated = draft(new CsvFile(List.of("age", "job"), rows), false);
    assertTrue(estimated.contains("age: {type: numeric, lower: "), estimated);
    assertFalse(estimated.contains("\"NA\"") || estimated.contains("\"NaN\"") || estimated.contains("\"null\""), estimated);
  }

  /** Attack (issue 15, 3): a --reveal draft passed PolicyFile.read unedited. */
  @Test
  void aRevealedDraftIsRefusedUntilTheProviderConfirmsIt() throws IOException {
    String draft = draft(insurance(), true);
    PolicyException refused = assertThrows(PolicyException.class, () -> PolicyFile.parse(draft, "draft.yaml"));
    assertTrue(refused.problems().stream().anyMatch(p -> p.startsWith("drafted.reveal_confirmed: columns age, sex,")),
        refused.problems().toString());

    DatasetPolicy policy = PolicyFile.parse(
        draft.replace("reveal_confirmed: false", "reveal_confirmed: true"), "draft.yaml");
    assertEquals(new ColumnPolicy.Numeric("age", 18, 64, true), policy.column("age").orElseThrow());
    assertEquals(new ColumnPolicy.Categorical("smoker", List.of("no", "yes")), policy.column("smoker").orElseThrow());
    assertEquals(PrivacyCost.ZERO, policy.drafted().orElseThrow().spent());
  }

  /** Attack (issue 15, 3): a revealed draft's data-derived bounds reached schema.json unmarked. */
  @Test
  void revealedValuesReachSchemaJsonOnlyWithTheRevealedMark() throws IOException {
    Path policy = Files.writeString(dir.resolve("policy.yaml"),
        draft(insurance(), true).replace("reveal_confirmed: false", "reveal_confirmed: true"));
    Path out = dir.resolve("views");
    new Provisioner((table, budget) -> {
      throw new AssertionError("the draft turns no synthetic view on");
    }, java.time.Clock.systemUTC(), line -> { }).provision(InsuranceData.CSV, policy, out, false, java.util.Optional.empty());

    String schema = Files.readString(out.resolve("schema.json"));
    long columns = PolicyFile.read(policy).visibleColumns().size();
    assertEquals(columns, schema.split("\"mark\" : \"REVEALED", -1).length - 1, schema);
  }

  /** Drafting's spend is recorded in provision.json and charged with the draft's id, once. */
  @Test
  void provisioningRecordsTheDraftsSpend() throws IOException {
    PolicyDraft.Draft draft = PolicyDraft.infer(insurance(), "insurance", "pat", false, COST);
    Path policy = Files.writeString(dir.resolve("policy.yaml"), draft.yaml());
    Path out = dir.resolve("views");
    ProvisioningRecord record = new Provisioner((table, budget) -> {
      throw new AssertionError("the draft turns no synthetic view on");
    }, java.time.Clock.systemUTC(), line -> { }).provision(InsuranceData.CSV, policy, out, false, java.util.Optional.empty());

    assertEquals(1, record.spends().size());
    assertEquals("policy draft", record.spends().get(0).what());
    assertEquals(draft.spent(), record.spends().get(0).cost());
    assertEquals(PolicyFile.read(policy).drafted().orElseThrow().spendId(), record.spends().get(0).id());
  }

  /** Cells with NA, N/A, null, NaN or nothing in every column type: the draft keeps the types, with missing values. */
  @Test
  void aDraftOfColumnsWithMissingCells_draftsTheirTypes_andTheirMissingValues() {
    CsvFile gaps = PatientsWithGaps.csv();
    for (boolean reveal : List.of(false, true)) {
      DatasetPolicy policy = PolicyFile.parse(draft(gaps, reveal).replace("reveal_confirmed: false",
          "reveal_confirmed: true"), "draft.yaml");

      assertTrue(policy.column("age").orElseThrow() instanceof ColumnPolicy.Numeric, policy.columns().toString());
      assertTrue(policy.column("bmi").orElseThrow() instanceof ColumnPolicy.Numeric, policy.columns().toString());
      assertTrue(policy.column("region").orElseThrow() instanceof ColumnPolicy.Categorical c
          && c.categories().equals(List.of("north", "south")), policy.columns().toString());
      double tolerance = reveal ? 1e-9 : 0.1; // a DP estimate of the share, from noisy counts
      assertEquals(0.1, policy.column("age").orElseThrow().missing().mockRate(), tolerance);
      assertEquals(0.2, policy.column("bmi").orElseThrow().missing().mockRate(), tolerance);
      assertEquals(0.3, policy.column("region").orElseThrow().missing().mockRate(), tolerance);
    }
  }
}
