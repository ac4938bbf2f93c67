package dev.cleanroom.dp.mechanisms;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.PrivateTable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

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
 * data holds, and takes as long whichever rows a filter keeps ({@link #partition}).
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
    if (column instanceof ColumnPolicy.Bool bool) {
      return bool.asCategorical();
    }
    throw new QueryRejectedException("wrong_column_type", "Column '" + name + "' is numeric; you can " + use
        + " categorical columns only");
  }

  /**
   * The rows a query reads and the rows it does not: the rows {@code where} keeps, split by the declared
   * categories of {@code groupBy} (one part named "" without a group-by), and every other row in
   * {@code rest}: the rows the filter drops, split the same way, and the rows in no group. The engine runs a
   * query's mechanism on each of the rest too and discards those answers, so each group's work is one run
   * over its kept and one over its dropped rows, and the whole does not depend on which rows a filter keeps
   * (see {@link PreparedQuery}).
   */
  public record Partition(Map<String, PrivateTable> parts, List<PrivateTable> rest) {
    public Partition {
      parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
      rest = List.copyOf(rest);
    }
  }

  /** The rows of {@code table} matching every entry of {@code where}, under the same policy. */
  public static PrivateTable apply(PrivateTable table, Map<String, String> where) {
    return partition(table, where, Optional.empty()).parts().get("");
  }

  /**
   * One table per declared category of {@code column}, in the policy's order. Rows whose value is
   * {@value ColumnPolicy.Categorical#OTHER} are in no part.
   */
  public static Map<String, PrivateTable> split(PrivateTable table, String column) {
    return partition(table, Map.of(), Optional.of(column)).parts();
  }

  /**
   * Splits the rows with the same work and the same allocations whatever the filter decides: every filter column
   * is compared on every row, and the parts are ranges of one ordering of all rows ({@code int[rows]}) over the
   * table's own columns, so no part copies a value and no allocation grows with the rows a part holds. (Copying
   * each part's columns made a half-kept filter faster than none or all: two arrays below the JVM's large-object
   * threshold, against one above it.)
   */
  public static Partition partition(PrivateTable table, Map<String, String> where, Optional<String> groupBy) {
    List<String> names = new ArrayList<>();
    if (groupBy.isPresent()) {
      names.addAll(checkGroups(table.policy(), where, groupBy.get()).categories());
    } else {
      check(table.policy(), where);
      names.add("");
    }
    if (where.isEmpty() && groupBy.isEmpty()) {
      return new Partition(Map.of("", table), List.of()); // every row is read: nothing to hide
    }
    Map<String, Integer> partOfCategory = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      partOfCategory.put(names.get(i), i);
    }
    List<List<String>> columns = where.keySet().stream().map(table::categorical).toList();
    List<String> categories = List.copyOf(where.values());
    List<String> groups = groupBy.map(table::categorical).orElse(null);
    // Buckets: 2 g the rows group g keeps, 2 g + 1 those it drops, the last the rows in no group.
    int buckets = 2 * names.size() + 1;
    int[] bucketOfRow = new int[table.rows()];
    int[] sizes = new int[buckets];
    for (int row = 0; row < bucketOfRow.length; row++) {
      boolean matches = true;
      for (int i = 0; i < columns.size(); i++) {
        matches &= columns.get(i).get(row).equals(categories.get(i));
      }
      Integer part = groups == null ? Integer.valueOf(0) : partOfCategory.get(groups.get(row));
      int bucket = part == null ? buckets - 1 : 2 * part + (matches ? 0 : 1);
      bucketOfRow[row] = bucket;
      sizes[bucket]++;
    }
    int[] starts = new int[buckets + 1];
    for (int bucket = 0; bucket < buckets; bucket++) {
      starts[bucket + 1] = starts[bucket] + sizes[bucket];
    }
    int[] next = java.util.Arrays.copyOf(starts, buckets);
    int[] order = new int[table.rows()];
    for (int row = 0; row < order.length; row++) {
      order[next[bucketOfRow[row]]++] = row;
    }
    Map<String, PrivateTable> parts = new LinkedHashMap<>();
    List<PrivateTable> rest = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      parts.put(names.get(i), table.select(order, starts[2 * i], starts[2 * i + 1]));
      rest.add(table.select(order, starts[2 * i + 1], starts[2 * i + 2]));
    }
    rest.add(table.select(order, starts[buckets - 1], starts[buckets]));
    return new Partition(parts, rest);
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
