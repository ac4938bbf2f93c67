package dev.cleanroom.dp.mechanisms;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.table.PrivateTable;
import java.util.Arrays;

/**
 * What a numeric aggregate does with a column's missing values, as its policy declares: read the imputed value
 * (held in the rows since loading), or skip the row. Skipping is a per-row filter of public rules, which an
 * added or removed row changes by at most that row: the symmetric distance, and so the privacy map, is that of
 * the unfiltered rows.
 */
record MissingTreatment(ColumnPolicy column) {
  /** The values an aggregate of {@link #column} reads from {@code rows}. */
  double[] values(PrivateTable rows) {
    double[] values = rows.numeric(column.name());
    if (!column.missing().allowed() || column.missing().imputed().isPresent()) {
      return values;
    }
    boolean[] missing = rows.missing(column.name());
    double[] present = new double[values.length];
    int kept = 0;
    for (int i = 0; i < values.length; i++) {
      if (!missing[i]) {
        present[kept++] = values[i];
      }
    }
    return Arrays.copyOf(present, kept);
  }

  /** How the answer treated missing values, said in the answer; empty when the column allows none. */
  String describe(String aggregate) {
    if (!column.missing().allowed()) {
      return "";
    }
    if (column instanceof ColumnPolicy.Categorical) {
      return "missing values of '" + column.name() + "' are counted in the " + ColumnPolicy.MISSING + " bucket";
    }
    return column.missing().imputed()
        .stream().mapToObj(value -> "the " + aggregate + " reads missing values of '" + column.name() + "' as " + value)
        .findFirst()
        .orElse("the " + aggregate + " skips the rows where '" + column.name() + "' is missing");
  }
}
