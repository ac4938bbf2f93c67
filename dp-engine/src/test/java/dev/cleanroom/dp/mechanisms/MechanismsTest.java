package dev.cleanroom.dp.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.table.PrivateTable;
import dev.cleanroom.dp.testing.PatientsWithGaps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MechanismsTest {
  /** 1,000 rows: x = 0..999 (mean 499.5), group "a" for even rows and "b" for odd ones. */
  private static final PrivateTable TABLE = table();

  private static PrivateTable table() {
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      rows.add(List.of(Integer.toString(i), i % 2 == 0 ? "a" : "b"));
    }
    DatasetPolicy policy = DatasetPolicy.builder("numbers")
        .column(new ColumnPolicy.Numeric("x", 0, 1000))
        .column(new ColumnPolicy.Categorical("group", List.of("a", "b")))
        .column(new ColumnPolicy.Excluded("secret"))
        .budgetPerScientist(new PrivacyCost(100, 1e-5))
        .maxPerQuery(new PrivacyCost(50, 1e-6))
        .build();
    return PrivateTable.of(new CsvFile(List.of("x", "group"), rows), policy);
  }

  private final Mechanisms mechanisms = new Mechanisms(TABLE.policy());

  private <T> DpAnswer<T> run(DpQuery<T> query) {
    try (PreparedQuery<T> prepared = mechanisms.prepare(query)) {
      return prepared.release(TABLE);
    }
  }

  @Test
  void count_costsWhatWasAskedAndIsCloseAtLargeEpsilon() {
    DpAnswer<Long> answer = run(DpQuery.count(10));
    assertEquals(1000, answer.value(), 10);
    assertTrue(answer.cost().epsilon() <= 10, answer.cost().toString());
    assertEquals(10, answer.cost().epsilon(), 1e-6);
    assertEquals("laplace", answer.mechanism());
    // Count has sensitivity 1: scale = 1/ε.
    assertEquals(0.1, answer.noiseScale(), 1e-6);
  }

  /**
   * OpenDP's {@code make_sum} on a vector of unknown length sums a random subset of at most 2^20 rows:
   * 2,000,000 rows of 1000.0 summed to about 1.05e9. Every row counts, whatever the row count.
   */
  @Test
  void sumAndMean_countEveryRow_farAbove2To20Rows() {
    List<List<String>> rows = new ArrayList<>(3_000_000);
    List<String> thousand = List.of("1000");
    List<String> zero = List.of("0");
    for (int i = 0; i < 3_000_000; i++) {
      rows.add(i % 3 == 2 ? zero : thousand);
    }
    DatasetPolicy policy = DatasetPolicy.builder("large").column(new ColumnPolicy.Numeric("x", 0, 1000)).build();
    PrivateTable large = PrivateTable.of(new CsvFile(List.of("x"), rows), policy);
    Mechanisms onLarge = new Mechanisms(policy);

    double sum;
    double mean;
    try (PreparedQuery<Double> prepared = onLarge.prepare(DpQuery.sum("x", 0.5))) {
      sum = prepared.release(large).value();
    }
    try (PreparedQuery<Double> prepared = onLarge.prepare(DpQuery.mean("x", 0.5))) {
      mean = prepared.release(large).value();
    }
    // Laplace noise of scale 2,000 on the sum: 2e9 ± 100,000 always holds.
    assertEquals(2e9, sum, 1e5);
    assertEquals(2000.0 / 3, mean, 0.1);
  }

  /**
   * A noisy count near 0 is below 0 half the time; a negative count is shown as 0 and the raw noisy value
   * is kept. Twenty counts of no rows at scale 100: the chance that none is raw-negative is 2^-20.
   */
  @Test
  void countsAndHistograms_showNoNegativeCount_andKeepTheRawNoisyValue() {
    PrivateTable noRows = TABLE.subset(new int[0]);
    List<Long> raw = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      try (PreparedQuery<Long> count = mechanisms.prepare(DpQuery.count(0.01));
          PreparedQuery<Map<String, Long>> histogram = mechanisms.prepare(DpQuery.histogram("group", 0.01))) {
        DpAnswer<Long> counted = count.release(noRows);
        DpAnswer<Map<String, Long>> bars = histogram.release(noRows);
        assertEquals(Math.max(0, counted.raw()), counted.value());
        raw.add(counted.raw());
        bars.raw().forEach((group, value) -> assertEquals(Math.max(0, value), bars.value().get(group)));
        raw.add(bars.raw().get("a"));
      }
    }
    assertTrue(raw.stream().anyMatch(value -> value < 0), raw.toString());
  }

  @Test
  void sum_noiseScaleFollowsTheDeclaredBoundNotTheData() {
    DpAnswer<Double> answer = run(DpQuery.sum("x", 1));
    // Sensitivity is the larger bound, 1000, whatever the data holds: b = 1000 / ε.
    assertEquals(1000, answer.noiseScale(), 1);
    assertEquals(499_500, answer.value(), 1000 * 30);
  }

  @Test
  void mean_spendsHalfOnTheSumAndHalfOnTheCount() {
    DpAnswer<Double> answer = run(DpQuery.mean("x", 40));
    assertEquals(499.5, answer.value(), 15);
    assertEquals(40, answer.cost().epsilon(), 1e-6);
    assertTrue(answer.cost().epsilon() <= 40);
  }

  @Test
  void histogram_countsEachDeclaredCategoryAndTheRest() {
    DpAnswer<Map<String, Long>> answer = run(DpQuery.histogram("group", 20));
    assertEquals(List.of("a", "b", Mechanisms.OTHER).stream().sorted().toList(),
        answer.value().keySet().stream().sorted().toList());
    assertEquals(500, answer.value().get("a"), 5);
    assertEquals(0, answer.value().get(Mechanisms.OTHER), 5);
  }

  @Test
  void quantile_findsTheMedianWithinAFewCandidates() {
    DpAnswer<Double> answer = run(DpQuery.median("x", 20));
    assertEquals(500, answer.value(), 30);
    assertEquals("exponential", answer.mechanism());
    assertTrue(answer.cost().epsilon() <= 20);
  }

  @Test
  void gaussian_chargesTheAskedDeltaAndAnEpsilonWithinTheAsk() {
    DpAnswer<Double> answer = run(new DpQuery.Sum("x", 1, 1e-6));
    assertEquals("gaussian", answer.mechanism());
    assertEquals(1e-6, answer.cost().delta(), 1e-12);
    assertTrue(answer.cost().epsilon() <= 1, answer.cost().toString());
    assertTrue(answer.cost().epsilon() > 0.999, answer.cost().toString());
  }

  @Test
  void gaussianHistogram_usesTheL2Sensitivity() {
    DpAnswer<Map<String, Long>> answer = run(new DpQuery.Histogram("group", 20, 1e-6));
    assertEquals("gaussian", answer.mechanism());
    assertEquals(500, answer.value().get("b"), 10);
  }

  @Test
  void costIsKnownBeforeTheAnswerExists() {
    try (PreparedQuery<Long> prepared = mechanisms.prepare(DpQuery.count(0.5))) {
      assertEquals(0.5, prepared.cost().epsilon(), 1e-6);
    }
  }

  @Test
  void aPreparedQueryReleasesOneAnswerOnly() {
    try (PreparedQuery<Long> prepared = mechanisms.prepare(DpQuery.count(0.5))) {
      prepared.release(TABLE);
      assertThrows(IllegalStateException.class, () -> prepared.release(TABLE));
    }
  }

  @Test
  void aPreparedQueryRunsOnRowsUnderItsOwnPolicyOnly() {
    DatasetPolicy other = DatasetPolicy.builder("other").column(new ColumnPolicy.Numeric("x", 0, 1000))
        .budgetPerScientist(new PrivacyCost(1, 0)).maxPerQuery(new PrivacyCost(1, 0)).build();
    PrivateTable otherRows = PrivateTable.of(new CsvFile(List.of("x"), List.of(List.of("1"))), other);
    try (PreparedQuery<Long> prepared = mechanisms.prepare(DpQuery.count(0.5))) {
      assertThrows(IllegalArgumentException.class, () -> prepared.release(otherRows));
    }
  }

  private void assertRejected(String code, String messagePart, DpQuery<?> query) {
    QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> mechanisms.prepare(query));
    assertEquals(code, e.code());
    assertTrue(e.getMessage().contains(messagePart), e.getMessage());
  }

  @Test
  void unknownColumn_isRejectedWithTheKnownColumns() {
    assertRejected("unknown_column", "its columns are: x, group", DpQuery.mean("salary", 1));
  }

  @Test
  void excludedColumn_isAsUnknownAsAMissingOne() {
    assertRejected("unknown_column", "no column 'secret'", DpQuery.sum("secret", 1));
  }

  @Test
  void negativeOrNaNEpsilon_isRejected() {
    assertRejected("invalid_epsilon", "positive", DpQuery.count(-1));
    assertRejected("invalid_epsilon", "positive", DpQuery.count(Double.NaN));
    assertRejected("invalid_epsilon", "positive", DpQuery.count(0));
  }

  @Test
  void epsilonAboveThePerQueryCap_isRejectedWithTheCap() {
    assertRejected("over_query_cap", "ask for at most 50.0", DpQuery.count(51));
  }

  /** How long a query takes is not noised: the policy's least ε keeps each timing from being free. */
  @Test
  void epsilonBelowThePolicysMinimum_isRejected() {
    assertRejected("under_query_minimum", "ask for at least 0.001", DpQuery.count(1e-12));
  }

  @Test
  void deltaAboveThePerQueryCap_isRejected() {
    assertRejected("over_query_cap", "δ", new DpQuery.Count(1, 1e-3));
  }

  @Test
  void wrongColumnType_isRejectedWithAHint() {
    assertRejected("wrong_column_type", "use a histogram", DpQuery.mean("group", 1));
    assertRejected("wrong_column_type", "use quantiles", DpQuery.histogram("x", 1));
  }

  @Test
  void quantileAlphaOutsideZeroOne_isRejected() {
    assertRejected("invalid_argument", "between 0 and 1", new DpQuery.Quantile("x", 1.5, 1));
  }

  @Test
  void groupedQuery_costsWhatOneGroupCosts_andAnswersEachGroupOnItsOwnRows() {
    Map<String, DpAnswer<Double>> answers;
    PrivacyCost grouped;
    try (GroupedQuery<Double> prepared = mechanisms.prepareByGroup(DpQuery.mean("x", 20), Map.of(), "group")) {
      grouped = prepared.cost();
      answers = prepared.release(TABLE);
    }

    assertEquals(cost(DpQuery.mean("x", 20)), grouped);
    // Even rows average 499, odd rows 500; the noise scale of each mean is about 1000 / (10 · 500) = 0.2.
    assertEquals(499, answers.get("a").value(), 5);
    assertEquals(500, answers.get("b").value(), 5);
    assertEquals(List.of("a", "b"), List.copyOf(answers.keySet()));
  }

  @Test
  void groupedQuery_costsWhatTheQueryCosts_forEveryKindOfQuery() {
    List<DpQuery<?>> queries = List.of(DpQuery.count(1), new DpQuery.Sum("x", 1, 1e-7), new DpQuery.Mean("x", 1, 1e-7),
        DpQuery.median("x", 1), new DpQuery.Histogram("group", 1, 1e-7));
    DatasetPolicy twoColumns = DatasetPolicy.builder("numbers")
        .column(new ColumnPolicy.Numeric("x", 0, 1000))
        .column(new ColumnPolicy.Categorical("group", List.of("a", "b")))
        .column(new ColumnPolicy.Categorical("half", List.of("low", "high")))
        .budgetPerScientist(new PrivacyCost(100, 1e-5))
        .maxPerQuery(new PrivacyCost(50, 1e-6))
        .build();
    Mechanisms byHalf = new Mechanisms(twoColumns);
    for (DpQuery<?> query : queries) {
      PrivacyCost single;
      try (PreparedQuery<?> prepared = byHalf.prepare(query)) {
        single = prepared.cost();
      }
      try (GroupedQuery<?> prepared = byHalf.prepareByGroup(query, Map.of(), "half")) {
        assertEquals(single, prepared.cost(), query.describe());
      }
      assertTrue(single.epsilon() <= 1 + 1e-9, query.describe() + " " + single);
    }
  }

  @Test
  void groupedQuery_refusesWhatTheSingleQueryRefuses_aNumericColumn_andAHistogramOfItsOwnGroups() {
    QueryRejectedException overCap = assertThrows(QueryRejectedException.class,
        () -> mechanisms.prepareByGroup(DpQuery.count(60), Map.of(), "group"));
    QueryRejectedException numeric = assertThrows(QueryRejectedException.class,
        () -> mechanisms.prepareByGroup(DpQuery.count(1), Map.of(), "x"));
    QueryRejectedException sameColumn = assertThrows(QueryRejectedException.class,
        () -> mechanisms.prepareByGroup(DpQuery.histogram("group", 1), Map.of(), "group"));
    assertEquals("over_query_cap", overCap.code());
    assertEquals("wrong_column_type", numeric.code());
    assertEquals("invalid_request", sameColumn.code());
  }

  @Test
  void aHistogramListsItsBarsInTheDeclaredOrder() {
    assertEquals(List.of("a", "b", Mechanisms.OTHER), List.copyOf(run(DpQuery.histogram("group", 1)).value().keySet()));
  }

  private PrivacyCost cost(DpQuery<?> query) {
    try (PreparedQuery<?> prepared = mechanisms.prepare(query)) {
      return prepared.cost();
    }
  }

  private static <T> DpAnswer<T> onPatients(DpQuery<T> query) {
    try (PreparedQuery<T> prepared = new Mechanisms(PatientsWithGaps.policy()).prepare(query)) {
      return prepared.release(PATIENTS);
    }
  }

  private static final PrivateTable PATIENTS = PatientsWithGaps.table();

  @Test
  void missingCount_countsTheRowsWhoseColumnIsMissing_inEveryColumnType() {
    assertEquals(200, onPatients(DpQuery.missingCount("age", 20)).value(), 5);
    assertEquals(400, onPatients(DpQuery.missingCount("bmi", 20)).value(), 5);
    DpAnswer<Long> region = onPatients(DpQuery.missingCount("region", 20));
    assertEquals(600, region.value(), 5);
    // Sensitivity 1, as a count: Laplace scale 1/ε.
    assertEquals(0.05, region.noiseScale(), 1e-6);
  }

  @Test
  void missingCount_ofAColumnThatDeclaresNoMissingValues_isRefusedBeforeAnyCharge() {
    QueryRejectedException e = assertThrows(QueryRejectedException.class, () -> mechanisms.prepare(
        DpQuery.missingCount("x", 1)));
    assertEquals("no_missing_values", e.code());
  }

  @Test
  void histogram_showsAMissingBucket_andSaysSo() {
    DpAnswer<Map<String, Long>> answer = onPatients(DpQuery.histogram("region", 20));
    assertEquals(List.of("north", "south", ColumnPolicy.MISSING, Mechanisms.OTHER),
        List.copyOf(answer.value().keySet()));
    assertEquals(600, answer.value().get(ColumnPolicy.MISSING), 5);
    assertEquals(0, answer.value().get(Mechanisms.OTHER), 5);
    assertTrue(answer.missingValues().contains("(missing) bucket"), answer.missingValues());
  }

  @Test
  void mean_skipsMissingValues_whenTheColumnDeclaresNoImputedValue_andSaysSo() {
    DpAnswer<Double> answer = onPatients(DpQuery.mean("age", 40));
    // Read as 0 (the placeholder's lower bound) the mean would be 40.05; skipped it is the present ages' 44.5.
    assertEquals(PatientsWithGaps.MEAN_PRESENT_AGE, answer.value(), 0.5);
    assertEquals("the mean skips the rows where 'age' is missing", answer.missingValues());
  }

  @Test
  void mean_readsTheDeclaredValue_whenTheColumnImputesOne_andSaysSo() {
    DpAnswer<Double> answer = onPatients(DpQuery.mean("bmi", 40));
    // 80% present and 20% read as the imputed 25.
    assertEquals(0.8 * PatientsWithGaps.MEAN_PRESENT_BMI + 0.2 * 25, answer.value(), 0.2);
    assertEquals("the mean reads missing values of 'bmi' as 25.0", answer.missingValues());
  }

  @Test
  void sumAndQuantile_treatMissingValuesAsDeclared() {
    assertEquals(1800 * PatientsWithGaps.MEAN_PRESENT_AGE, onPatients(DpQuery.sum("age", 40)).value(), 100);
    assertEquals(PatientsWithGaps.MEAN_PRESENT_AGE, onPatients(DpQuery.median("age", 40)).value(), 2);
    assertEquals("the quantile skips the rows where 'age' is missing",
        onPatients(DpQuery.median("age", 40)).missingValues());
    assertEquals("", run(DpQuery.mean("x", 1)).missingValues(), "a column without missing values says nothing");
  }
}
