package dev.cleanroom.dp.source;

import dev.cleanroom.dp.mechanisms.Aggregates;
import dev.cleanroom.dp.policy.ColumnPolicy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.DoubleStream;

/**
 * The aggregates one query reads from {@link DuckDbRows}, for every part of the rows at once.
 *
 * <p>The rows fall into cells: whether the filter keeps a row, by its group (the declared categories of the
 * group-by column and (other), or one group ""). The cells the filter keeps in a declared group are the
 * query's {@link #parts()}; every other cell is in {@link #rest()}, whose answers are computed and discarded
 * as for rows in the heap. An aggregate is computed the first time any cell asks for it, by one SQL statement
 * that groups every row of the table by cell, with no WHERE: DuckDB reads every row whatever the filter keeps
 * (a WHERE could skip row groups by their min/max statistics, and the time would tell the filter's size).
 */
public final class AggregatePass {
  private final Connection connection;
  private final String keptExpression;
  private final String groupExpression;
  private final Map<Cell, CellAggregates> cells = new LinkedHashMap<>();
  private final List<String> parts;
  private final Map<String, Map<Cell, Object>> computed = new HashMap<>();

  /** One cell: the rows the filter keeps ({@code kept}) or drops, in one group. */
  private record Cell(boolean kept, String group) {}

  AggregatePass(Connection connection, Map<String, String> where, Optional<String> groupBy, List<String> parts) {
    this.connection = connection;
    this.parts = List.copyOf(parts);
    this.keptExpression = where.isEmpty() ? "true" : where.entrySet().stream()
        .map(e -> "(" + Sql.name(e.getKey()) + " = " + Sql.text(e.getValue()) + ")")
        .collect(Collectors.joining(" AND "));
    this.groupExpression = groupBy.map(column -> "CAST(" + Sql.name(column) + " AS VARCHAR)").orElse("''");
    List<String> groups = new ArrayList<>(parts);
    if (groupBy.isPresent()) {
      groups.add(ColumnPolicy.Categorical.OTHER);
    }
    for (boolean kept : new boolean[] {true, false}) {
      if (kept || !where.isEmpty() || groupBy.isPresent()) {
        groups.forEach(group -> cells.put(new Cell(kept, group), new CellAggregates(new Cell(kept, group))));
      }
    }
  }

  /** The aggregates of the rows the filter keeps, per declared group in the policy's order ("" without a group-by). */
  public Map<String, Aggregates> parts() {
    Map<String, Aggregates> kept = new LinkedHashMap<>();
    parts.forEach(group -> kept.put(group, cells.get(new Cell(true, group))));
    return kept;
  }

  /** The aggregates of every other cell: the rows the filter drops, and the rows in no declared group. */
  public List<Aggregates> rest() {
    return cells.entrySet().stream()
        .filter(e -> !(e.getKey().kept() && parts.contains(e.getKey().group())))
        .map(e -> (Aggregates) e.getValue())
        .toList();
  }

  /**
   * The value of {@code select} (SQL over the table, one or more columns after the cell's) in each cell, read by
   * {@code read} from a result row; a cell with no rows gets {@code empty}. Computed once per query.
   */
  @SuppressWarnings("unchecked")
  private synchronized <V> V aggregate(Cell cell, String select, Function<ResultSet, V> read, V empty) {
    Map<Cell, Object> values = computed.get(select);
    if (values == null) {
      values = new HashMap<>();
      String sql = "SELECT " + keptExpression + " AS kept, " + groupExpression + " AS cell_group, " + select
          + " FROM " + DuckDbRows.TABLE + " GROUP BY ALL";
      synchronized (connection) {
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
          while (result.next()) {
            values.put(new Cell(result.getBoolean("kept"), result.getString("cell_group")), read.apply(result));
          }
        } catch (SQLException e) {
          // Every value obeys the policy since loading, so this is DuckDB itself failing (memory, disk), never a row.
          throw new IllegalStateException("DuckDB failed an aggregate over the dataset: " + e.getMessage(), e);
        }
      }
      computed.put(select, values);
    }
    return (V) values.getOrDefault(cell, empty);
  }

  private static long getLong(ResultSet result, String column) {
    try {
      return result.getLong(column);
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB returned no " + column + ": " + e.getMessage(), e);
    }
  }

  private final class CellAggregates implements Aggregates {
    private final Cell cell;

    CellAggregates(Cell cell) {
      this.cell = cell;
    }

    @Override
    public long count() {
      return aggregate(cell, "count(*) AS n", result -> getLong(result, "n"), 0L);
    }

    @Override
    public long fixedPointSum(String column, double unit, long lower, long upper) {
      // Math.round(value / unit): floor, plus one when the fraction is at least one half (x - floor(x) is exact).
      String scaled = "(" + Sql.name(column) + " / " + Sql.number(unit) + ")";
      String rounded = "(CAST(floor(" + scaled + ") AS BIGINT) + CASE WHEN " + scaled + " - floor(" + scaled
          + ") >= 0.5 THEN 1 ELSE 0 END)";
      String clamped = "greatest(" + lower + ", least(" + upper + ", " + rounded + "))";
      return aggregate(cell, "CAST(sum(" + clamped + ") AS BIGINT) AS total",
          result -> getLong(result, "total"), 0L);
    }

    @Override
    public long[] categoryCounts(String column, List<String> categories) {
      List<String> labels = new ArrayList<>(categories);
      StringBuilder select = new StringBuilder();
      for (int i = 0; i < labels.size(); i++) {
        select.append("count(*) FILTER (WHERE ").append(Sql.name(column)).append(" = ").append(Sql.text(labels.get(i)))
            .append(") AS c").append(i).append(", ");
      }
      select.append("count(*) FILTER (WHERE ").append(Sql.name(column)).append(" NOT IN (")
          .append(Sql.texts(labels)).append(")) AS c").append(labels.size());
      return aggregate(cell, select.toString(), result -> {
        long[] counts = new long[labels.size() + 1];
        for (int i = 0; i < counts.length; i++) {
          counts[i] = getLong(result, "c" + i);
        }
        return counts;
      }, new long[labels.size() + 1]).clone();
    }

    @Override
    public double[] values(String column) {
      return valuesByCell(column).getOrDefault(cell, new double[0]).clone();
    }
  }

  private final Map<String, Map<Cell, double[]>> valuesComputed = new HashMap<>();

  /**
   * A column's values per cell, from one pass over every row that counts each distinct value per cell: only the
   * distinct values cross JDBC (73 ages instead of ten million rows), and each is repeated its count of times.
   * The order of the values changes, which a quantile's score does not depend on.
   */
  private synchronized Map<Cell, double[]> valuesByCell(String column) {
    return valuesComputed.computeIfAbsent(column, name -> {
      Map<Cell, DoubleStream.Builder> builders = new HashMap<>();
      String sql = "SELECT " + keptExpression + " AS kept, " + groupExpression + " AS cell_group, " + Sql.name(name)
          + " AS v, count(*) AS n FROM " + DuckDbRows.TABLE + " GROUP BY ALL";
      synchronized (connection) {
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
          while (result.next()) {
            DoubleStream.Builder builder = builders.computeIfAbsent(
                new Cell(result.getBoolean(1), result.getString(2)), c -> DoubleStream.builder());
            double value = result.getDouble(3);
            for (long i = result.getLong(4); i > 0; i--) {
              builder.add(value);
            }
          }
        } catch (SQLException e) {
          throw new IllegalStateException("DuckDB failed to read column '" + name + "': " + e.getMessage(), e);
        }
      }
      Map<Cell, double[]> values = new HashMap<>();
      builders.forEach((cell, builder) -> values.put(cell, builder.build().toArray()));
      return values;
    });
  }
}
