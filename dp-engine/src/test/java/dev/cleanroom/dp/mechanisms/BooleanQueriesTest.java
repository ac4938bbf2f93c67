package dev.cleanroom.dp.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.provision.MockData;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.table.PrivateTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A boolean column: true/false in any usual spelling, counted, filtered and grouped as false/true. */
class BooleanQueriesTest {
  private static final DatasetPolicy POLICY = PolicyFile.parse("""
      dataset: habits
      owner: pat
      columns:
        smoker: {type: boolean, missing: allowed}
        age: {type: integer, lower: 0, upper: 100}
      budget:
        per_scientist: {epsilon: 100, delta: 1.0e-5}
        per_query: {epsilon: 50, delta: 1.0e-6}
      invalid_values: reject
      """, "habits.yaml");

  /** 1,000 rows: 300 smokers written six ways, 600 non-smokers, 100 missing; smokers are 60, the others 30. */
  private static final PrivateTable TABLE = table();

  private static PrivateTable table() {
    List<String> yes = List.of("true", "TRUE", "yes", "Y", "1", "t");
    List<String> no = List.of("false", "False", "no", "N", "0", "f");
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      rows.add(i < 300 ? List.of(yes.get(i % 6), "60") : i < 900 ? List.of(no.get(i % 6), "30") : List.of("NA", "30"));
    }
    return PrivateTable.of(new CsvFile(List.of("smoker", "age"), rows), POLICY);
  }

  @Test
  void everyUsualSpelling_loadsAsTrueOrFalse() {
    assertEquals(Set.of("true", "false", ColumnPolicy.MISSING), Set.copyOf(TABLE.categorical("smoker")));
    assertEquals(300, TABLE.categorical("smoker").stream().filter("true"::equals).count());
  }

  @Test
  void aHistogram_countsFalseTrueAndMissing_andAFilterKeepsOneSide() {
    Mechanisms mechanisms = new Mechanisms(POLICY);
    Map<String, Long> counts;
    try (PreparedQuery<Map<String, Long>> histogram = mechanisms.prepare(DpQuery.histogram("smoker", 20))) {
      counts = histogram.release(TABLE).value();
    }
    assertEquals(List.of("false", "true", ColumnPolicy.MISSING, Mechanisms.OTHER), List.copyOf(counts.keySet()));
    assertEquals(600, counts.get("false"), 5);
    assertEquals(300, counts.get("true"), 5);
    try (PreparedQuery<Double> mean = mechanisms.prepare(DpQuery.mean("age", 20))) {
      assertEquals(60, mean.release(RowFilter.apply(TABLE, Map.of("smoker", "true"))).value(), 1);
    }
  }

  @Test
  void mockRows_areTrueOrFalse() {
    CsvFile mock = MockData.generate(POLICY, 500);
    assertEquals(Set.of("true", "false", ""), mock.rows().stream().map(row -> row.get(0)).collect(Collectors.toSet()));
  }
}
