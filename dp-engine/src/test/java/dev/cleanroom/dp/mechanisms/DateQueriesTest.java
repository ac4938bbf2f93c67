package dev.cleanroom.dp.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.provision.MockData;
import dev.cleanroom.dp.synth.Synthesizer;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.table.PrivateTable;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Dates and timestamps: declared bounds, DP histograms by year, month and day, quantiles, valid views. */
class DateQueriesTest {
  private static final String POLICY = """
      dataset: admissions
      owner: pat
      views: [dp-query, synthetic, mock]
      columns:
        admitted: {type: date, lower: 2023-01-01, upper: 2024-12-31, missing: allowed}
        seen: {type: timestamp, lower: "2023-01-01T00:00:00Z", upper: "2024-12-31T23:59:59Z"}
      budget:
        per_scientist: {epsilon: 100, delta: 1.0e-5}
        per_query: {epsilon: 50, delta: 1.0e-6}
      synthetic: {epsilon: 4, delta: 1.0e-6}
      invalid_values: reject
      """;
  private static final DatasetPolicy ADMISSIONS = PolicyFile.parse(POLICY, "admissions.yaml");

  /**
   * 2,000 rows: 1,500 admitted in 2023 (ten a day from 2023-06-01 to 2023-11-27), 400 on 2024-03-05, 100 missing;
   * seen at noon UTC of the admission day (2024-03-05 where the admission is missing).
   */
  private static final PrivateTable TABLE = table();

  private static PrivateTable table() {
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      LocalDate day = i < 1500 ? LocalDate.of(2023, 6, 1).plusDays(i / 10) : LocalDate.of(2024, 3, 5);
      rows.add(List.of(i >= 1900 ? "NA" : day.toString(), day + " 12:00:00"));
    }
    return PrivateTable.of(new CsvFile(List.of("admitted", "seen"), rows), ADMISSIONS);
  }

  private static <T> DpAnswer<T> run(DpQuery<T> query) {
    try (PreparedQuery<T> prepared = new Mechanisms(ADMISSIONS).prepare(query)) {
      return prepared.release(TABLE);
    }
  }

  @Test
  void aDateColumnsBounds_areDeclaredAsDates_andHeldAsDays() {
    ColumnPolicy.Temporal admitted = (ColumnPolicy.Temporal) ADMISSIONS.column("admitted").orElseThrow();
    assertEquals(LocalDate.of(2023, 1, 1).toEpochDay(), admitted.lower());
    assertEquals(Instant.parse("2024-12-31T23:59:59Z").getEpochSecond(),
        ((ColumnPolicy.Temporal) ADMISSIONS.column("seen").orElseThrow()).upper());
    assertEquals(ADMISSIONS, PolicyFile.parse(PolicyFile.toYaml(ADMISSIONS), "round trip"));
  }

  @Test
  void aHistogramByYear_countsEachYearBetweenTheBounds_andTheMissingDates() {
    Map<String, Long> byYear = run(DpQuery.byPeriod("admitted", "year", 20)).value();
    assertEquals(List.of("2023", "2024", ColumnPolicy.MISSING, Mechanisms.OTHER), List.copyOf(byYear.keySet()));
    assertEquals(1500, byYear.get("2023"), 5);
    assertEquals(400, byYear.get("2024"), 5);
    assertEquals(100, byYear.get(ColumnPolicy.MISSING), 5);
  }

  @Test
  void aHistogramByMonthOrDay_hasABucketPerPeriodOfTheBounds() {
    Map<String, Long> byMonth = run(DpQuery.byPeriod("seen", "month", 20)).value();
    assertEquals(24 + 1, byMonth.size());
    assertEquals(300, byMonth.get("2023-06"), 5); // 30 days of ten rows
    assertEquals(500, byMonth.get("2024-03"), 5); // every row's seen is present, the missing admissions' too
    Map<String, Long> byDay = run(DpQuery.byPeriod("admitted", "day", 20)).value();
    assertEquals(731 + 2, byDay.size());
    assertEquals(400, byDay.get("2024-03-05"), 5);
  }

  @Test
  void aQuantileOfDates_isADay() {
    double median = run(DpQuery.median("admitted", 20)).value();
    // Half of the 1,900 present dates fall by 2023-06-01 + 95 days.
    long day = Math.round(median);
    assertTrue(Math.abs(day - LocalDate.of(2023, 9, 4).toEpochDay()) <= 3, LocalDate.ofEpochDay(day).toString());
  }

  @Test
  void aHistogramByAnotherPeriod_orOfANumber_isRefusedBeforeAnyCharge() {
    Mechanisms mechanisms = new Mechanisms(ADMISSIONS);
    assertEquals("invalid_argument", assertThrows(QueryRejectedException.class,
        () -> mechanisms.prepare(DpQuery.byPeriod("admitted", "week", 1))).code());
  }

  @Test
  void mockAndSyntheticRows_holdValidDatesWithinTheBounds() {
    CsvFile mock = MockData.generate(ADMISSIONS, 500);
    CsvFile synthetic = Synthesizer.synthesize(TABLE, new PrivacyCost(4, 1e-6), new SplittableRandom(2)).rows();
    for (CsvFile rows : List.of(mock, synthetic)) {
      for (List<String> row : rows.rows()) {
        if (!row.get(0).isEmpty()) {
          LocalDate admitted = LocalDate.parse(row.get(0));
          assertTrue(!admitted.isBefore(LocalDate.of(2023, 1, 1)) && !admitted.isAfter(LocalDate.of(2024, 12, 31)),
              row.toString());
        }
        Instant seen = Instant.parse(row.get(1));
        assertTrue(!seen.isBefore(Instant.parse("2023-01-01T00:00:00Z"))
            && !seen.isAfter(Instant.parse("2024-12-31T23:59:59Z")), row.toString());
      }
    }
  }
}
