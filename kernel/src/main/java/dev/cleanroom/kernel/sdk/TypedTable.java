package dev.cleanroom.kernel.sdk;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.table.CsvFile;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.function.DoubleFunction;
import java.util.function.DoublePredicate;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DateColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.InstantColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Rows as a notebook gets them, in both stages: a tablesaw table with one column per declared visible column, in
 * the policy's order and of the declared type (integer → {@code IntColumn}, numeric → {@code DoubleColumn},
 * categorical and identifier → {@code StringColumn}, boolean → {@code BooleanColumn}, date → {@code DateColumn}, timestamp → {@code InstantColumn});
 * a missing value is tablesaw's missing value. The stage-1 views and the real rows go through here alike, so a
 * notebook meets the same types and the same missing values in both stages.
 *
 * <p>A cell that is missing, or that does not parse as its column's type, is missing: tablesaw has no other way to
 * hold it, and the DP query service reads such a cell as missing or invalid too.
 */
final class TypedTable {
  private TypedTable() {}

  /**
   * @param isMissing which cells stand for no value: the dataset's markers for the real rows, the empty cell for
   *     a view
   */
  static Table of(String tableName, CsvFile csv, List<ColumnPolicy> columns, Predicate<String> isMissing) {
    Table table = Table.create(tableName);
    for (ColumnPolicy column : columns) {
      int index = csv.header().indexOf(column.name());
      if (index < 0 || column instanceof ColumnPolicy.Excluded) {
        continue;
      }
      table.addColumns(column(column, csv.rows().stream().map(row -> row.get(index)).toList(), isMissing));
    }
    return table;
  }

  private static Column<?> column(ColumnPolicy policy, List<String> cells, Predicate<String> isMissing) {
    // A cell's value, or NaN when it is missing or does not parse.
    ToDoubleFunction<String> read = switch (policy) {
      case ColumnPolicy.Temporal temporal -> cell -> isMissing.test(cell) ? Double.NaN : temporal.parse(cell);
      case ColumnPolicy.Bool bool -> cell -> isMissing.test(cell) ? Double.NaN
          : switch (ColumnPolicy.Bool.normalize(cell)) {
            case "true" -> 1;
            case "false" -> 0;
            default -> Double.NaN;
          };
      default -> cell -> isMissing.test(cell) ? Double.NaN : number(cell);
    };
    return switch (policy) {
      case ColumnPolicy.Numeric numeric when numeric.integer() -> filled(IntColumn.create(numeric.name()), cells, read,
          value -> value == Math.rint(value) && Math.abs(value) <= Integer.MAX_VALUE, value -> (int) value);
      case ColumnPolicy.Numeric numeric ->
          filled(DoubleColumn.create(numeric.name()), cells, read, Double::isFinite, value -> value);
      case ColumnPolicy.Temporal temporal when temporal.timestamp() -> filled(InstantColumn.create(temporal.name()),
          cells, read, value -> !Double.isNaN(value), value -> Instant.ofEpochSecond((long) value));
      case ColumnPolicy.Temporal temporal -> filled(DateColumn.create(temporal.name()), cells, read,
          value -> !Double.isNaN(value), value -> LocalDate.ofEpochDay((long) value));
      case ColumnPolicy.Categorical categorical -> StringColumn.create(categorical.name(), cells.stream()
          .map(cell -> isMissing.test(cell) && !categorical.categories().contains(cell.strip()) ? "" : cell).toList());
      case ColumnPolicy.Bool bool ->
          filled(BooleanColumn.create(bool.name()), cells, read, value -> !Double.isNaN(value), value -> value == 1);
      // Fake values in a view, the real keys in stage 2: what a join matches on.
      case ColumnPolicy.Identifier identifier -> StringColumn.create(identifier.name(),
          cells.stream().map(cell -> isMissing.test(cell) ? "" : cell).toList());
      case ColumnPolicy.Excluded excluded -> throw new IllegalArgumentException("excluded columns are not read");
    };
  }

  /** {@code column} with each cell's value read by {@code read}, missing where it is not {@code valid}. */
  private static <T> Column<T> filled(Column<T> column, List<String> cells, ToDoubleFunction<String> read,
      DoublePredicate valid, DoubleFunction<T> value) {
    for (String cell : cells) {
      double number = read.applyAsDouble(cell);
      if (valid.test(number)) {
        column.append(value.apply(number));
      } else {
        column.appendMissing();
      }
    }
    return column;
  }

  private static double number(String cell) {
    try {
      return Double.parseDouble(cell.strip());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
