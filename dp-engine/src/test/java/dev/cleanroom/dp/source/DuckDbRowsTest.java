package dev.cleanroom.dp.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.engine.DpQueryEngine;
import dev.cleanroom.dp.engine.GroupedAnswer;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.mechanisms.Aggregates;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.mechanisms.RowFilter;
import dev.cleanroom.dp.opendp.Data;
import dev.cleanroom.dp.opendp.Domain;
import dev.cleanroom.dp.opendp.Domains;
import dev.cleanroom.dp.opendp.Metric;
import dev.cleanroom.dp.opendp.Metrics;
import dev.cleanroom.dp.opendp.Transformation;
import dev.cleanroom.dp.opendp.Transformations;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.InvalidValues;
import dev.cleanroom.dp.policy.MissingValues;
import dev.cleanroom.dp.table.InvalidDataException;
import dev.cleanroom.dp.table.PrivateTable;
import dev.cleanroom.dp.testing.InsuranceData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DuckDB source against the heap table and OpenDP: on the same rows, each aggregate DuckDB computes equals
 * what OpenDP's own transformation (the one each query chains before its noise) computes on the heap's columns.
 */
class DuckDbRowsTest {
  @TempDir Path dir;

  private static final DatasetPolicy POLICY = InsuranceData.policy();

  @Test
  void aggregatesFromCsvAndParquetEqualOpenDpsOwnOnTheSameRows() throws Exception {
    PrivateTable heap = InsuranceData.table(POLICY);
    for (Path data : List.of(InsuranceData.CSV, parquetOf(InsuranceData.CSV))) {
      try (DuckDbRows duck = DuckDbRows.load(data, POLICY, Optional.empty())) {
        assertEquals(heap.rows(), duck.rows(), data.toString());
        AggregatePass all = duck.partition(Map.of(), Optional.empty());
        assertSameAsOpenDp(heap, all.parts().get(""));
        assertEquals(List.of(), all.rest(), "no filter and no group: every row is in the one part");

        Map<String, String> smokers = Map.of("smoker", "yes", "sex", "female");
        AggregatePass filtered = duck.partition(smokers, Optional.empty());
        assertSameAsOpenDp(RowFilter.apply(heap, smokers), filtered.parts().get(""));

        AggregatePass grouped = duck.partition(Map.of("smoker", "no"), Optional.of("region"));
        RowFilter.Partition heapGroups = RowFilter.partition(heap, Map.of("smoker", "no"), Optional.of("region"));
        assertEquals(heapGroups.parts().keySet(), grouped.parts().keySet());
        heapGroups.parts().forEach((group, rows) -> assertSameAsOpenDp(rows, grouped.parts().get(group)));
        long everyRow = grouped.rest().stream().mapToLong(Aggregates::count).sum()
            + grouped.parts().values().stream().mapToLong(Aggregates::count).sum();
        assertEquals(heap.rows(), everyRow, "kept and rest together cover every row once");
      }
    }
  }

  @Test
  void hostileValuesLoadAsTheHeapTableLoadsThem() throws Exception {
    Path csv = dir.resolve("hostile.csv");
    Files.writeString(csv, """
        age,sex,bmi,children,smoker,region,charges,notes
        30,female,25,1, yes ,northeast,1000,a
        abc,male,NaN,9,YES,mars,-5,b
        ,female,1e400,-1,no,southwest,70000,c
        17.5,"male",15,0,maybe,southeast,Infinity,d
        65.49,male,55.0,5,no,northwest,"64999.5",e
        """);
    PrivateTable heap = PrivateTable.load(csv, POLICY);
    try (DuckDbRows duck = DuckDbRows.load(csv, POLICY, Optional.empty())) {
      assertSameAsOpenDp(heap, duck.partition(Map.of(), Optional.empty()).parts().get(""));
      AggregatePass noSmokers = duck.partition(Map.of("smoker", "no"), Optional.of("sex"));
      RowFilter.Partition heapParts = RowFilter.partition(heap, Map.of("smoker", "no"), Optional.of("sex"));
      heapParts.parts().forEach((group, rows) -> assertSameAsOpenDp(rows, noSmokers.parts().get(group)));
    }
  }

  @Test
  void aPolicyThatRejectsInvalidValuesRefusesToLoadThem() throws Exception {
    Path csv = dir.resolve("invalid.csv");
    Files.writeString(csv, "age,sex,bmi,children,smoker,region,charges\n30,female,25,1,yes,mars,1000\n");
    DatasetPolicy rejecting = DatasetPolicy.builder("strict").columns(POLICY.columns())
        .invalidValues(InvalidValues.REJECT).build();
    InvalidDataException refused =
        assertThrows(InvalidDataException.class, () -> DuckDbRows.load(csv, rejecting, Optional.empty()));
    assertTrue(refused.getMessage().contains("{region=1}"), refused.getMessage());
    Path missing = dir.resolve("narrow.csv");
    Files.writeString(missing, "age,sex\n30,female\n");
    assertThrows(InvalidDataException.class, () -> DuckDbRows.load(missing, POLICY, Optional.empty()));
  }

  @Test
  void theEngineAnswersFromParquetWithOpenDpsNoiseAndCharges() throws Exception {
    Path parquet = parquetOf(InsuranceData.CSV);
    try (PrivacyLedger ledger = PrivacyLedger.open("jdbc:sqlite:" + dir.resolve("ledger.db"));
        DuckDbRows rows = DuckDbRows.load(parquet, POLICY, Optional.of("256MB"))) {
      DpQueryEngine engine = new DpQueryEngine(rows, "parquet", ledger);
      double trueMean = Arrays.stream(InsuranceData.table(POLICY).numeric("age")).average().orElseThrow();
      ChargedAnswer<Double> mean = engine.answer("alice", "q1", DpQuery.mean("age", 1.0), Map.of());
      assertEquals(trueMean, mean.answer().value(), 1.0, "a DP mean of 1,338 ages at ε 1 is within a year");
      GroupedAnswer<Long> counts = engine.answerByGroup("alice", "q2", DpQuery.count(0.5), Map.of(), "region");
      assertEquals(List.of("northeast", "northwest", "southeast", "southwest"), List.copyOf(counts.groups().keySet()));
      counts.groups().values().forEach(count -> assertEquals(335, count.value(), 60));
      ChargedAnswer<Double> median = engine.answer("alice", "q3", DpQuery.median("age", 0.5), Map.of("smoker", "yes"));
      assertTrue(median.answer().value() >= 18 && median.answer().value() <= 65);
      assertEquals(2.0 - 1.0 - 0.5 - 0.5, engine.remaining("alice").epsilon(), 1e-6, "each query was charged");
    }
  }

  @Test
  void automaticallyParquetAndCsvsTooLargeForTheHeapGoToDuckDb() throws Exception {
    Path parquet = parquetOf(InsuranceData.CSV);
    long csvBytes = Files.size(InsuranceData.CSV);
    assertTrue(RowSources.needsDuckDb(parquet, Long.MAX_VALUE), "Parquet, whatever the heap");
    assertTrue(RowSources.needsDuckDb(dir, Long.MAX_VALUE), "a folder of Parquet files");
    assertTrue(RowSources.needsDuckDb(InsuranceData.CSV, csvBytes * RowSources.HEAP_SHARE - 1));
    assertEquals(false, RowSources.needsDuckDb(InsuranceData.CSV, csvBytes * RowSources.HEAP_SHARE));
  }

  @Test
  void aPolicyWithMissingValuesOrDates_isRefusedByDuckDbBeforeAnyCharge_andItsCsvStaysInTheHeap() throws Exception {
    List<ColumnPolicy> columns = POLICY.columns().stream()
        .map(c -> c.name().equals("bmi") ? new ColumnPolicy.Numeric("bmi", 15, 55, false, MissingValues.skipped()) : c)
        .toList();
    DatasetPolicy withGaps = DatasetPolicy.builder("gaps").columns(columns).build();
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> DuckDbRows.load(parquetOf(InsuranceData.CSV), withGaps, Optional.empty()));
    assertTrue(refused.getMessage().contains("'bmi' may be missing"), refused.getMessage());
    long tooLargeForTheHeap = Files.size(InsuranceData.CSV) * RowSources.HEAP_SHARE - 1;
    assertTrue(RowSources.choosesDuckDb(InsuranceData.CSV, POLICY, tooLargeForTheHeap));
    assertFalse(RowSources.choosesDuckDb(InsuranceData.CSV, withGaps, tooLargeForTheHeap),
        "a CSV DuckDB cannot hold stays in the heap");
  }

  /**
   * The insurance CSV as Parquet, written by DuckDB with typed columns (numbers as DOUBLE or BIGINT; smoker kept
   * as text, which DuckDB's type detection would make a BOOLEAN that no longer reads "yes").
   */
  private Path parquetOf(Path csv) throws SQLException {
    Path parquet = dir.resolve("insurance.parquet");
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      statement.execute("COPY (SELECT * FROM read_csv('" + csv + "', header = true, types = {'smoker': 'VARCHAR'})) TO '" + parquet
          + "' (FORMAT parquet)");
    }
    return parquet;
  }

  /** Each aggregate of {@code cell} equals OpenDP's transformation on the heap's rows {@code rows}. */
  private static void assertSameAsOpenDp(PrivateTable rows, Aggregates cell) {
    assertEquals(openDpCount(rows), cell.count(), "count");
    for (ColumnPolicy column : POLICY.visibleColumns()) {
      switch (column) {
        case ColumnPolicy.Numeric n -> {
          double largest = Math.max(Math.abs(n.lower()), Math.abs(n.upper()));
          double unit = Math.scalb(1.0, Math.getExponent(largest) + 1 - 31);
          long lower = (long) Math.floor(n.lower() / unit);
          long upper = (long) Math.ceil(n.upper() / unit);
          assertEquals(openDpFixedPointSum(rows.numeric(n.name()), unit, lower, upper),
              cell.fixedPointSum(n.name(), unit, lower, upper), "sum of " + n.name());
          // A narrower clamp than the bounds, so that clamping itself is compared too.
          long middle = (lower + upper) / 2;
          assertEquals(openDpFixedPointSum(rows.numeric(n.name()), unit, lower, middle),
              cell.fixedPointSum(n.name(), unit, lower, middle), "clamped sum of " + n.name());
          double[] expected = rows.numeric(n.name());
          double[] actual = cell.values(n.name());
          Arrays.sort(expected);
          Arrays.sort(actual);
          assertArrayEquals(expected, actual, "values of " + n.name());
        }
        case ColumnPolicy.Categorical c -> assertArrayEquals(openDpCategoryCounts(rows.categorical(c.name()), c.categories()),
            cell.categoryCounts(c.name(), c.categories()), "counts of " + c.name());
        default -> throw new AssertionError("the test's policy declares only numbers and categories");
      }
    }
  }

  private static long openDpCount(PrivateTable rows) {
    try (Domain atom = Domains.atomDomain("f64", false); Domain vector = Domains.vectorDomain(atom);
        Metric metric = Metrics.symmetricDistance();
        Transformation count = Transformations.makeCount(vector, metric, "i64");
        Data input = Data.vecF64(rows.numeric("age")); Data output = count.invoke(input)) {
      return output.asI64();
    }
  }

  /** OpenDP's clamp then sum on the values rounded to multiples of {@code unit}, as Mechanisms chains them. */
  private static long openDpFixedPointSum(double[] values, double unit, long lower, long upper) {
    long[] fixed = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      fixed[i] = Math.round(values[i] / unit);
    }
    try (Domain atom = Domains.atomDomain("i64"); Domain vector = Domains.vectorDomain(atom);
        Metric metric = Metrics.symmetricDistance();
        Transformation clamp = Transformations.makeClamp(vector, metric, lower, upper);
        Domain clamped = clamp.outputDomain(); Metric clampedMetric = clamp.outputMetric();
        Transformation sum = Transformations.makeSum(clamped, clampedMetric);
        Data input = Data.vecI64(fixed); Data clampedValues = clamp.invoke(input);
        Data output = sum.invoke(clampedValues)) {
      return output.asI64();
    }
  }

  private static long[] openDpCategoryCounts(List<String> values, List<String> categories) {
    try (Domain atom = Domains.atomDomain("String"); Domain vector = Domains.vectorDomain(atom);
        Metric metric = Metrics.symmetricDistance();
        Transformation counts = Transformations.makeCountByCategories(
            vector, metric, categories, true, "L1Distance<i64>", "i64");
        Data input = Data.vecString(values); Data output = counts.invoke(input)) {
      return output.asI64Vec();
    }
  }
}
