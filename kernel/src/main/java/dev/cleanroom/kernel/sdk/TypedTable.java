package dev.cleanroom.kernel.sdk;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.table.CsvFile;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Predicate;
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
 * categorical and identifier → {@code StringColumn}, date → {@code DateColumn}, timestamp → {@code InstantColumn});
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
    return switch (policy) {
      case ColumnPolicy.Numeric numeric when numeric.integer() -> {
        IntColumn column = IntColumn.create(numeric.name());
        for (String cell : cells) {
          double value = isMissing.test(cell) ? Double.NaN : number(cell);
          if (value == Math.rint(value) && Math.abs(value) <= Integer.MAX_VALUE) {
            column.append((int) value);
          } else {
            column.appendMissing();
          }
        }
        yield column;
      }
      case ColumnPolicy.Numeric numeric -> {
        DoubleColumn column = DoubleColumn.create(numeric.name());
        for (String cell : cells) {
          double value = isMissing.test(cell) ? Double.NaN : number(cell);
          if (Double.isFinite(value)) {
            column.append(value);
          } else {
            column.appendMissing();
          }
        }
        yield column;
      }
      case ColumnPolicy.Categorical categorical -> {
        StringColumn column = StringColumn.create(categorical.name());
        for (String cell : cells) {
          if (isMissing.test(cell) && !categorical.categories().contains(cell.strip())) {
            column.appendMissing();
          } else {
            column.append(cell);
          }
        }
        yield column;
      }
      case ColumnPolicy.Temporal temporal when temporal.timestamp() -> {
        InstantColumn column = InstantColumn.create(temporal.name());
        for (String cell : cells) {
          double second = isMissing.test(cell) ? Double.NaN : temporal.parse(cell);
          if (Double.isNaN(second)) {
            column.appendMissing();
          } else {
            column.append(Instant.ofEpochSecond((long) second));
          }
        }
        yield column;
      }
      case ColumnPolicy.Temporal temporal -> {
        DateColumn column = DateColumn.create(temporal.name());
        for (String cell : cells) {
          double day = isMissing.test(cell) ? Double.NaN : temporal.parse(cell);
          if (Double.isNaN(day)) {
            column.appendMissing();
          } else {
            column.append(LocalDate.ofEpochDay((long) day));
          }
        }
        yield column;
      }
      // Fake values in a view, the real keys in stage 2: what a join matches on.
      case ColumnPolicy.Identifier identifier -> StringColumn.create(identifier.name(),
          cells.stream().map(cell -> isMissing.test(cell) ? "" : cell).toList());
      case ColumnPolicy.Excluded excluded -> throw new IllegalArgumentException("excluded columns are not read");
    };
  }

  private static double number(String cell) {
    try {
      return Double.parseDouble(cell.strip());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
