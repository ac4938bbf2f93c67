package dev.cleanroom.dp.mechanisms;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.table.PrivateTable;

/**
 * What a numeric aggregate does with a column's missing values, as its policy declares: read the imputed value
 * (held in the rows since loading), or skip the row. Skipping is a per-row filter of public rules, which an
 * added or removed row changes by at most that row: the symmetric distance, and so the privacy map, is that of
 * the unfiltered rows.
 */
record MissingTreatment(ColumnPolicy column) {
  /**
   * The rows an aggregate of {@link #column} reads: all of them (a missing value holds the imputed one since
   * loading), or, to skip missing values, those where the column is present, sharing the table's columns.
   */
  PrivateTable rows(PrivateTable rows) {
    if (!column.missing().allowed() || column.missing().imputed().isPresent()) {
      return rows;
    }
    return rows.withoutMissing(column.name());
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
