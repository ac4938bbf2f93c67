package dev.cleanroom.dp.testing;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.table.PrivateTable;
import java.util.ArrayList;
import java.util.List;

/**
 * A dataset with missing values in every column type, written with every default marker: 2,000 rows of
 * {@code age} (integer, 10% missing, skipped), {@code bmi} (numeric, 20% missing, imputed as 25) and
 * {@code region} (categorical, 30% missing).
 */
public final class PatientsWithGaps {
  public static final int ROWS = 2000;
  public static final double AGE_MISSING = 0.1;
  public static final double BMI_MISSING = 0.2;
  public static final double REGION_MISSING = 0.3;
  /** The present ages cycle 20..69 (mean 44.5); the present bmis alternate 20 and 40 (mean 30). */
  public static final double MEAN_PRESENT_AGE = 44.5;
  public static final double MEAN_PRESENT_BMI = 30;

  private static final List<String> MARKERS = List.of("NA", "", "N/A", "null", "NaN", " NA ");

  public static final String POLICY_YAML = """
      dataset: patients
      owner: pat
      views: [dp-query, synthetic, mock]
      columns:
        age: {type: integer, lower: 0, upper: 100, missing: allowed}
        bmi: {type: numeric, lower: 10, upper: 60, missing: {impute: 25, mock_rate: 0.2}}
        region: {type: categorical, categories: [north, south], missing: {mock_rate: 0.3}}
      budget:
        per_scientist: {epsilon: 100, delta: 1.0e-5}
        per_query: {epsilon: 50, delta: 1.0e-6}
      synthetic: {epsilon: 10, delta: 1.0e-6}
      invalid_values: reject
      """;

  private PatientsWithGaps() {}

  public static DatasetPolicy policy() {
    return PolicyFile.parse(POLICY_YAML, "patients.yaml");
  }

  /** Row i is missing in a column when i falls in that column's first share of each block of ten rows. */
  public static CsvFile csv() {
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      String marker = MARKERS.get(i % MARKERS.size());
      int place = i % 10;
      rows.add(List.of(
          place < AGE_MISSING * 10 ? marker : Integer.toString(20 + (i / 10) % 50),
          place >= 9 - BMI_MISSING * 10 + 1 ? marker : (i % 2 == 0 ? "20" : "40"),
          place >= 3 && place < 3 + REGION_MISSING * 10 ? marker : (i % 2 == 0 ? "north" : "south")));
    }
    return new CsvFile(List.of("age", "bmi", "region"), rows);
  }

  public static PrivateTable table() {
    return PrivateTable.of(csv(), policy());
  }

  /** The share of rows whose {@code column} is missing in {@code csv}, a view written with empty cells. */
  public static double missingShare(CsvFile csv, String column) {
    int index = csv.header().indexOf(column);
    return csv.rows().stream().filter(row -> row.get(index).isEmpty()).count() / (double) csv.rows().size();
  }

  /** The column of {@code name} in the policy. */
  public static ColumnPolicy column(String name) {
    return policy().column(name).orElseThrow();
  }
}
