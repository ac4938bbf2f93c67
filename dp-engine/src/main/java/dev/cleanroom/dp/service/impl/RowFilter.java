package dev.cleanroom.dp.service.impl;

import dev.cleanroom.dp.client.DpClientException;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.table.PrivateTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the rows of a private table whose categorical columns equal given declared categories.
 *
 * <p>Why this is sound: the predicate is public (declared columns and categories, never a value read
 * from the data), and a row filter is 1-stable under the add/remove-one-row distance the mechanisms are
 * calibrated for: adding or removing one row changes the filtered table by at most that row. So a
 * mechanism on the filtered rows costs exactly what OpenDP's privacy map says for the unfiltered query.
 * An empty result is answered like any other (a count near 0): a query never fails because of what the
 * data holds.
 */
final class RowFilter {
  private RowFilter() {}

  /** Checks {@code where} against the policy; each refusal is a 400 naming the column and the fix. */
  static void check(DatasetPolicy policy, Map<String, String> where) {
    where.forEach((column, category) -> {
      ColumnPolicy.Categorical declared = categorical(policy, column, "filter on");
      if (!declared.categories().contains(category)) {
        throw new DpClientException("unknown_category", 400, "Column '" + column + "' has no category '" + category
            + "'; its categories are: " + String.join(", ", declared.categories()));
      }
    });
  }

  /** The categorical column {@code name}, or a 400 that says why it cannot be used to {@code use}. */
  static ColumnPolicy.Categorical categorical(DatasetPolicy policy, String name, String use) {
    ColumnPolicy column = policy.column(name)
        .filter(c -> !(c instanceof ColumnPolicy.Excluded))
        .orElseThrow(() -> new DpClientException("unknown_column", 400, "Dataset '" + policy.dataset()
            + "' has no column '" + name + "'; its columns are: " + policy.columnNames()));
    if (column instanceof ColumnPolicy.Categorical categorical) {
      return categorical;
    }
    throw new DpClientException("wrong_column_type", 400, "Column '" + name + "' is numeric; you can " + use
        + " categorical columns only");
  }

  /** The rows of {@code table} matching every entry of {@code where}, under the same policy. */
  static PrivateTable apply(PrivateTable table, Map<String, String> where) {
    check(table.policy(), where);
    boolean[] keep = new boolean[table.rows()];
    Arrays.fill(keep, true);
    where.forEach((column, category) -> {
      List<String> values = table.categorical(column);
      for (int row = 0; row < keep.length; row++) {
        keep[row] &= values.get(row).equals(category);
      }
    });
    // Rebuilt through PrivateTable.of so the filtered table holds the same invariants as a loaded one.
    // The values are the loaded ones (numbers already clamped, categories stripped), and a double prints
    // and parses back exactly, so nothing changes on the way.
    List<ColumnPolicy> columns = table.policy().visibleColumns();
    Map<String, Object> data = new LinkedHashMap<>();
    for (ColumnPolicy column : columns) {
      data.put(column.name(), column instanceof ColumnPolicy.Numeric
          ? table.numeric(column.name()) : table.categorical(column.name()));
    }
    List<List<String>> rows = new ArrayList<>();
    for (int row = 0; row < keep.length; row++) {
      if (!keep[row]) {
        continue;
      }
      List<String> fields = new ArrayList<>(columns.size());
      for (Object values : data.values()) {
        fields.add(values instanceof double[] numbers ? Double.toString(numbers[row])
            : ((List<?>) values).get(row).toString());
      }
      rows.add(fields);
    }
    return PrivateTable.of(new CsvFile(columns.stream().map(ColumnPolicy::name).toList(), rows), table.policy());
  }
}
