package dev.cleanroom.dp.mechanisms;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.PrivateTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Keeps the rows of a private table whose categorical columns equal given declared categories, and
 * splits a table by the declared categories of one column.
 *
 * <p>Why this is sound: the predicate is public (declared columns and categories, never a value read
 * from the data), and a row filter is 1-stable under the add/remove-one-row distance the mechanisms are
 * calibrated for: adding or removing one row changes the filtered table by at most that row. So a
 * mechanism on the filtered rows costs exactly what OpenDP's privacy map says for the unfiltered query.
 * The same holds for each part of a split, and a row lands in at most one part (see {@link GroupedQuery}).
 * An empty result is answered like any other (a count near 0): a query never fails because of what the
 * data holds.
 */
public final class RowFilter {
  private RowFilter() {}

  /** Checks {@code where} against the policy; each refusal names the column and the fix. */
  public static void check(DatasetPolicy policy, Map<String, String> where) {
    where.forEach((column, category) -> {
      ColumnPolicy.Categorical declared = categorical(policy, column, "filter on");
      if (!declared.categories().contains(category)) {
        throw new QueryRejectedException("unknown_category", "Column '" + column + "' has no category '" + category
            + "'; its categories are: " + String.join(", ", declared.categories()));
      }
    });
  }

  /** Checks that the rows {@code where} keeps can be split by {@code column}. */
  public static ColumnPolicy.Categorical checkGroups(DatasetPolicy policy, Map<String, String> where, String column) {
    ColumnPolicy.Categorical groups = categorical(policy, column, "group by");
    if (where.containsKey(column)) {
      throw new QueryRejectedException("invalid_request", "Column '" + column
          + "' is both filtered and grouped by; drop it from the filter to get every group");
    }
    check(policy, where);
    return groups;
  }

  /** The categorical column {@code name}, or a refusal that says why it cannot be used to {@code use}. */
  private static ColumnPolicy.Categorical categorical(DatasetPolicy policy, String name, String use) {
    ColumnPolicy column = policy.column(name)
        .filter(c -> !(c instanceof ColumnPolicy.Excluded))
        .orElseThrow(() -> new QueryRejectedException("unknown_column", "Dataset '" + policy.dataset()
            + "' has no column '" + name + "'; its columns are: " + policy.columnNames()));
    if (column instanceof ColumnPolicy.Categorical categorical) {
      return categorical;
    }
    throw new QueryRejectedException("wrong_column_type", "Column '" + name + "' is numeric; you can " + use
        + " categorical columns only");
  }

  /** The rows of {@code table} matching every entry of {@code where}, under the same policy. */
  public static PrivateTable apply(PrivateTable table, Map<String, String> where) {
    check(table.policy(), where);
    if (where.isEmpty()) {
      return table;
    }
    List<List<String>> columns = where.keySet().stream().map(table::categorical).toList();
    List<String> categories = List.copyOf(where.values());
    IntStream.Builder kept = IntStream.builder();
    for (int row = 0; row < table.rows(); row++) {
      boolean matches = true;
      for (int i = 0; i < columns.size() && matches; i++) {
        matches = columns.get(i).get(row).equals(categories.get(i));
      }
      if (matches) {
        kept.add(row);
      }
    }
    return table.subset(kept.build().toArray());
  }

  /**
   * One table per declared category of {@code column}, in the policy's order, made in one pass over the
   * rows. Rows whose value is not a declared category (kept when the policy clamps invalid values) are in
   * no part.
   */
  public static Map<String, PrivateTable> split(PrivateTable table, String column) {
    ColumnPolicy.Categorical groups = checkGroups(table.policy(), Map.of(), column);
    Map<String, IntStream.Builder> rows = new LinkedHashMap<>();
    groups.categories().forEach(category -> rows.put(category, IntStream.builder()));
    List<String> values = table.categorical(column);
    for (int row = 0; row < values.size(); row++) {
      IntStream.Builder group = rows.get(values.get(row));
      if (group != null) {
        group.add(row);
      }
    }
    Map<String, PrivateTable> parts = new LinkedHashMap<>();
    rows.forEach((category, group) -> parts.put(category, table.subset(group.build().toArray())));
    return parts;
  }

  /** For logs and the audit trail: {@code mean(charges) where smoker=yes group by region}. */
  public static String describe(DpQuery<?> query, Map<String, String> where, Optional<String> groupBy) {
    StringBuilder text = new StringBuilder(query.describe());
    if (!where.isEmpty()) {
      text.append(" where ").append(where.entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue()).sorted().collect(Collectors.joining(" and ")));
    }
    groupBy.ifPresent(column -> text.append(" group by ").append(column));
    return text.toString();
  }
}
