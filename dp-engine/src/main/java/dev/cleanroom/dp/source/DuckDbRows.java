package dev.cleanroom.dp.source;

import dev.cleanroom.dp.mechanisms.DpAnswer;
import dev.cleanroom.dp.mechanisms.GroupedQuery;
import dev.cleanroom.dp.mechanisms.PreparedQuery;
import dev.cleanroom.dp.mechanisms.RowFilter;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.InvalidValues;
import dev.cleanroom.dp.table.InvalidDataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A dataset's rows in an embedded DuckDB database, for data larger than the JVM's heap: DuckDB reads a
 * Parquet file, a folder of Parquet files or a CSV file, and keeps the rows in its own memory, spilling to
 * a private temporary folder beyond its limit. The JVM holds no row.
 *
 * <p>Loading applies the policy once, as {@code PrivateTable} does, into a table of the declared columns only:
 * numbers clamped into their bounds (missing, NaN and text become the midpoint, or loading fails when the
 * policy rejects invalid values), categories outside the declared ones become (other). A query's aggregates
 * (counts, clamped fixed-point sums, counts per category) are then computed by DuckDB in one pass over every
 * row, grouped by whether the filter keeps a row and by its group ({@link AggregatePass}), and OpenDP adds the
 * noise that its privacy map was calibrated for.
 */
public final class DuckDbRows implements RowSource {
  static final String TABLE = "dataset";

  private final DatasetPolicy policy;
  private final Connection connection;
  private final Path spillFolder;

  private DuckDbRows(DatasetPolicy policy, Connection connection, Path spillFolder) {
    this.policy = policy;
    this.connection = connection;
    this.spillFolder = spillFolder;
  }

  /**
   * Loads {@code data} (a {@code .parquet} file, a folder of them, or a CSV file with a header row) under
   * {@code policy}. DuckDB may use up to {@code memoryLimit} (such as {@code "2GB"}; empty: its default of
   * 80% of the machine's memory) before it spills to a temporary folder readable by this user only.
   */
  public static DuckDbRows load(Path data, DatasetPolicy policy, Optional<String> memoryLimit) throws IOException {
    unsupportedColumns(policy).ifPresent(reason -> {
      throw new IllegalArgumentException("Dataset '" + policy.dataset() + "' cannot be served by DuckDB yet: " + reason
          + "; serve it from the heap (a CSV, DCR_ENGINE=embedded)");
    });
    Path spill = Files.createTempDirectory("dcr-duckdb-");
    spill.toFile().deleteOnExit(); // a service stopped without close: DuckDB's own files go with its process
    Connection connection = null;
    try {
      connection = DriverManager.getConnection("jdbc:duckdb:");
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET temp_directory = " + Sql.text(spill.toString()));
        statement.execute("SET preserve_insertion_order = false");
        // Parquet and CSV readers are built in; nothing is to be fetched from the network on the data's behalf.
        statement.execute("SET autoinstall_known_extensions = false");
        if (memoryLimit.isPresent()) {
          statement.execute("SET memory_limit = " + Sql.text(memoryLimit.get()));
        }
      }
      new Loader(connection, policy, reader(data)).load();
      return new DuckDbRows(policy, connection, spill);
    } catch (SQLException e) {
      closeQuietly(connection);
      deleteFolder(spill);
      throw new IOException("DuckDB could not load " + data + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(connection);
      deleteFolder(spill);
      throw e;
    }
  }

  /** The DuckDB table function that reads {@code data}, chosen by its form. */
  static String reader(Path data) throws IOException {
    String name = data.getFileName().toString().toLowerCase(Locale.ROOT);
    if (Files.isDirectory(data)) {
      return "read_parquet(" + Sql.text(data.resolve("**").resolve("*.parquet").toString()) + ")";
    }
    if (!Files.isRegularFile(data)) {
      throw new IOException("No data at " + data + "; give a CSV file, a .parquet file or a folder of them");
    }
    if (name.endsWith(".parquet")) {
      return "read_parquet(" + Sql.text(data.toString()) + ")";
    }
    // Every cell as text: parsing numbers and matching categories is the policy's job (Loader), not the reader's.
    return "read_csv(" + Sql.text(data.toString()) + ", header = true, all_varchar = true)";
  }

  @Override
  public DatasetPolicy policy() {
    return policy;
  }

  /** The true number of rows: private, for the engine's use only. */
  public long rows() {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT count(*) FROM " + TABLE)) {
      result.next();
      return result.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB failed to count its own table: " + e.getMessage(), e);
    }
  }

  /**
   * The exact aggregates of the rows {@code where} keeps (split by {@code groupBy}'s declared categories, or one
   * part named ""), and of every other row in {@code rest}, as {@code RowFilter.partition} splits rows in the heap.
   */
  public AggregatePass partition(Map<String, String> where, Optional<String> groupBy) {
    List<String> parts = new ArrayList<>();
    if (groupBy.isPresent()) {
      parts.addAll(RowFilter.checkGroups(policy, where, groupBy.get()).categories());
    } else {
      RowFilter.check(policy, where);
      parts.add("");
    }
    return new AggregatePass(connection, where, groupBy, parts);
  }

  @Override
  public <T> DpAnswer<T> release(PreparedQuery<T> query, Map<String, String> where) {
    AggregatePass pass = partition(where, Optional.empty());
    return query.releaseAggregated(pass.parts(), pass.rest());
  }

  @Override
  public <T> Map<String, DpAnswer<T>> releaseByGroup(GroupedQuery<T> query, Map<String, String> where) {
    AggregatePass pass = partition(where, Optional.of(query.column()));
    return query.releaseAggregated(pass.parts(), pass.rest());
  }

  @Override
  public void close() {
    closeQuietly(connection);
    deleteFolder(spillFolder);
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // Closing an in-memory database frees its memory; a failure leaves nothing to clean up.
      }
    }
  }

  private static void deleteFolder(Path folder) {
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not delete DuckDB's spill folder " + folder + "; delete it by hand", e);
    }
  }

  /** Applies the policy to the rows {@code reader} reads, into {@link #TABLE}. */
  private record Loader(Connection connection, DatasetPolicy policy, String reader) {
    /** ASCII whitespace, which {@code PrivateTable} strips from a value as {@link String#strip} does. */
    private static final String BLANKS = "chr(32) || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)";

    void load() throws SQLException {
      Map<String, String> types = sourceTypes();
      List<String> values = new ArrayList<>();
      List<String> invalid = new ArrayList<>();
      for (ColumnPolicy column : policy.valueColumns()) {
        String type = types.get(column.name());
        if (type == null) {
          throw new InvalidDataException("Dataset '" + policy.dataset() + "' declares column '" + column.name()
              + "' but the data has only: " + String.join(", ", types.keySet()));
        }
        switch (column) {
          case ColumnPolicy.Numeric n -> {
            String number = number(n, type);
            values.add(clamped(n, number) + " AS " + Sql.name(n.name()));
            invalid.add("count(*) FILTER (WHERE " + number + " IS NULL OR isnan(" + number + ") OR " + number
                + " < " + Sql.number(n.lower()) + " OR " + number + " > " + Sql.number(n.upper()) + ")");
          }
          case ColumnPolicy.Categorical c -> {
            String text = "trim(CAST(" + Sql.name(c.name()) + " AS VARCHAR), " + BLANKS + ")";
            String declared = text + " IN (" + Sql.texts(c.categories()) + ")";
            values.add("CAST(CASE WHEN " + declared + " THEN " + text + " ELSE "
                + Sql.text(ColumnPolicy.Categorical.OTHER) + " END AS " + enumType(c) + ") AS " + Sql.name(c.name()));
            invalid.add("count(*) FILTER (WHERE " + text + " IS NULL OR NOT " + declared + ")");
          }
          case ColumnPolicy.Excluded e -> { } // withheld by the provider: never loaded
          // refused before loading (unsupportedColumns); identifiers are no value column
          case ColumnPolicy.Temporal t -> throw new IllegalStateException("a date column in DuckDB");
          case ColumnPolicy.Bool b -> throw new IllegalStateException("a boolean column in DuckDB");
          case ColumnPolicy.Identifier i -> throw new IllegalStateException("an identifier column in DuckDB");
        }
      }
      if (policy.invalidValues() == InvalidValues.REJECT) {
        rejectInvalid(invalid);
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE " + TABLE + " AS SELECT " + String.join(", ", values) + " FROM " + reader);
      }
    }

    private Map<String, String> sourceTypes() throws SQLException {
      Map<String, String> types = new LinkedHashMap<>();
      try (Statement statement = connection.createStatement();
          ResultSet result = statement.executeQuery("DESCRIBE SELECT * FROM " + reader)) {
        while (result.next()) {
          types.put(result.getString("column_name"), result.getString("column_type"));
        }
      }
      return types;
    }

    /** The column as a double, NULL where it holds no number. */
    private static String number(ColumnPolicy.Numeric column, String type) {
      String value = type.equals("VARCHAR") ? "trim(" + Sql.name(column.name()) + ", " + BLANKS + ")"
          : Sql.name(column.name());
      return "TRY_CAST(" + value + " AS DOUBLE)";
    }

    /** {@link ColumnPolicy.Numeric#clamp}: NULL and NaN become the midpoint, the rest is clamped into the bounds. */
    private static String clamped(ColumnPolicy.Numeric column, String number) {
      return "CASE WHEN " + number + " IS NULL OR isnan(" + number + ") THEN " + Sql.number((column.lower() + column.upper()) / 2)
          + " ELSE greatest(" + Sql.number(column.lower()) + ", least(" + Sql.number(column.upper()) + ", " + number
          + ")) END";
    }

    /** The declared categories and (other) as an ENUM: one byte a row, and grouping by it is cheap. */
    private static String enumType(ColumnPolicy.Categorical column) {
      List<String> labels = new ArrayList<>(column.categories());
      labels.add(ColumnPolicy.Categorical.OTHER);
      return "ENUM(" + Sql.texts(labels) + ")";
    }

    private void rejectInvalid(List<String> counts) throws SQLException {
      if (counts.isEmpty()) {
        return;
      }
      Map<String, Long> invalid = new TreeMap<>();
      try (Statement statement = connection.createStatement();
          ResultSet result = statement.executeQuery("SELECT " + String.join(", ", counts) + " FROM " + reader)) {
        result.next();
        List<ColumnPolicy> columns = policy.valueColumns();
        for (int i = 0; i < columns.size(); i++) {
          long count = result.getLong(i + 1);
          if (count > 0) {
            invalid.put(columns.get(i).name(), count);
          }
        }
      }
      if (!invalid.isEmpty()) {
        throw new InvalidDataException("Dataset '" + policy.dataset() + "' has values outside its declared schema "
            + invalid + " (values per column); fix the data, widen the policy, or set invalid values to clamp");
      }
    }
  }

  /**
   * Why DuckDB cannot serve {@code policy}'s columns, if it cannot: it holds numeric and categorical columns without
   * missing values. Refused at load, so no charged query can meet a column it does not hold.
   */
  public static Optional<String> unsupportedColumns(DatasetPolicy policy) {
    return policy.valueColumns().stream()
        .filter(c -> c.missing().allowed()
            || !(c instanceof ColumnPolicy.Numeric || c instanceof ColumnPolicy.Categorical))
        .findFirst()
        .map(c -> "column '" + c.name() + "' " + (c.missing().allowed()
            ? "may be missing" : "is of a type it does not hold (" + c.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + ")"));
  }
}
