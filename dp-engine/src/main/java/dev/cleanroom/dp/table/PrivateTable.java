package dev.cleanroom.dp.table;

import dev.cleanroom.dp.opendp.Data;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.InvalidValues;
import dev.cleanroom.dp.policy.SourceFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import java.util.function.UnaryOperator;

/**
 * A provider's real rows, held column by column in the one process allowed to hold them (the DP query
 * service, or the TEE). Only declared columns are kept; undeclared and excluded ones, and identifiers, which no DP
 * answer may hold, are dropped on load.
 *
 * <p>Invariant: every numeric value (a date or timestamp as its day or second) lies within its declared bounds
 * and is not NaN, and every
 * categorical value is one of its column's declared categories or {@link ColumnPolicy.Categorical#OTHER}.
 * A cell that is one of the dataset's missing markers, in a column that allows missing values, is missing:
 * marked in {@link #missing}, held in a numeric column as the imputed value (or, if the column has none, as its
 * lower bound, which no skipping aggregate reads) and in a categorical one as {@link ColumnPolicy#MISSING}.
 * Nothing the data holds (NUL, broken UTF-8, megabyte strings, NaN, infinities, text in a numeric column)
 * survives loading, so no value can make a mechanism fail after its charge: a failure that depended on
 * one person's row would tell that row's value for free.
 */
public final class PrivateTable {
  private final DatasetPolicy policy;
  private final Columns columns;
  /** The rows of this table: {@code selection[from..to)} indexes the columns; null: the columns' own [from, to). */
  private final int[] selection;
  private final int from;
  private final int to;

  /**
   * Every row's values, shared by a table and every selection of its rows, with each column's forms for OpenDP
   * made once (the first query that needs one) rather than once per selection.
   */
  private record Columns(Map<String, double[]> numeric, Map<String, List<String>> categorical,
      Map<String, boolean[]> missing, Map<String, Data.StringColumn> encoded, Map<String, long[]> fixedPoint) {
    Columns(Map<String, double[]> numeric, Map<String, List<String>> categorical, Map<String, boolean[]> missing) {
      this(numeric, categorical, missing, new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
    }
  }

  private PrivateTable(DatasetPolicy policy, Columns columns, int[] selection, int from, int to) {
    this.policy = policy;
    this.columns = columns;
    this.selection = selection;
    this.from = from;
    this.to = to;
  }

  /** Reads a CSV file with a header row, in the policy's source format, and applies the policy's schema. */
  public static PrivateTable load(Path csv, DatasetPolicy policy) throws IOException {
    return of(CsvFile.read(csv, policy.source()), policy);
  }

  public static PrivateTable of(CsvFile csv, DatasetPolicy policy) {
    Map<String, double[]> numeric = new LinkedHashMap<>();
    Map<String, List<String>> categorical = new LinkedHashMap<>();
    Map<String, boolean[]> missing = new LinkedHashMap<>();
    Map<String, Integer> invalid = new TreeMap<>();
    for (ColumnPolicy column : policy.valueColumns()) {
      int index = csv.header().indexOf(column.name());
      if (index < 0) {
        throw new InvalidDataException("Dataset '" + policy.dataset() + "' declares column '" + column.name()
            + "' but the CSV has only: " + String.join(", ", csv.header()));
      }
      boolean[] absent = new boolean[csv.rows().size()];
      switch (column) {
        case ColumnPolicy.Numeric n ->
            numeric.put(n.name(), numbers(csv, index, n, PrivateTable::parse, policy.source(), absent, invalid));
        case ColumnPolicy.Temporal t ->
            numeric.put(t.name(), numbers(csv, index, t.asNumeric(), t::parse, policy.source(), absent, invalid));
        case ColumnPolicy.Categorical c ->
            categorical.put(c.name(), categories(csv, index, c, cell -> cell, policy.source(), absent, invalid));
        case ColumnPolicy.Bool b -> categorical.put(b.name(),
            categories(csv, index, b.asCategorical(), ColumnPolicy.Bool::normalize, policy.source(), absent, invalid));
        case ColumnPolicy.Identifier i -> { } // not among the value columns
        case ColumnPolicy.Excluded e -> { } // withheld by the provider: never loaded
      }
      missing.put(column.name(), absent);
    }
    if (!invalid.isEmpty() && policy.invalidValues() == InvalidValues.REJECT) {
      throw new InvalidDataException("Dataset '" + policy.dataset() + "' has values outside its declared schema "
          + invalid + " (values per column); fix the data, widen the policy, or set invalid values to clamp");
    }
    return new PrivateTable(policy, new Columns(numeric, categorical, missing), null, 0, csv.rows().size());
  }

  private static double[] numbers(
      CsvFile csv, int index, ColumnPolicy.Numeric column, ToDoubleFunction<String> parse, SourceFormat source,
      boolean[] absent, Map<String, Integer> invalid) {
    double[] values = new double[csv.rows().size()];
    boolean allowsMissing = column.missing().allowed();
    double placeholder = column.missing().imputed().orElse(column.lower());
    for (int row = 0; row < values.length; row++) {
      String cell = csv.rows().get(row).get(index);
      if (allowsMissing && source.isMissing(cell)) {
        absent[row] = true;
        values[row] = placeholder;
        continue;
      }
      double value = parse.applyAsDouble(cell);
      if (Double.isNaN(value) || value < column.lower() || value > column.upper()) {
        invalid.merge(column.name(), 1, Integer::sum);
      }
      values[row] = column.clamp(value);
    }
    return values;
  }

  private static double parse(String text) {
    try {
      return text.isBlank() ? Double.NaN : Double.parseDouble(text.strip());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /**
   * Each value as its declared category (the policy's own string), a missing marker as (missing) if the column
   * allows missing values, anything else as (other). A declared category that is also a marker stays a category.
   */
  private static List<String> categories(CsvFile csv, int index, ColumnPolicy.Categorical column,
      UnaryOperator<String> normalize, SourceFormat source, boolean[] absent, Map<String, Integer> invalid) {
    Map<String, String> declared = new HashMap<>();
    column.categories().forEach(category -> declared.put(category, category));
    List<String> values = new ArrayList<>(csv.rows().size());
    for (List<String> row : csv.rows()) {
      String cell = row.get(index);
      String category = declared.get(normalize.apply(cell).strip());
      if (category == null && column.missing().allowed() && source.isMissing(cell)) {
        absent[values.size()] = true;
        category = ColumnPolicy.MISSING;
      } else if (category == null) {
        invalid.merge(column.name(), 1, Integer::sum);
        category = ColumnPolicy.Categorical.OTHER;
      }
      values.add(category);
    }
    return List.copyOf(values);
  }

  /**
   * The rows at {@code indexes} (ascending), under the same policy. Their values were validated on load,
   * so the invariant holds for the subset as it is.
   */
  public PrivateTable subset(int[] indexes) {
    int[] rowsAt = new int[indexes.length];
    for (int i = 0; i < indexes.length; i++) {
      rowsAt[i] = row(indexes[i]);
    }
    return new PrivateTable(policy, columns, rowsAt, 0, rowsAt.length);
  }

  /**
   * The rows {@code order[start..end)} of this table, sharing its columns: no value is copied, so the parts of
   * a partition ({@code RowFilter}) cost the same to make whichever rows each holds.
   *
   * @param order positions of this table's rows (read, never changed; the caller must not change it either)
   */
  public PrivateTable select(int[] order, int start, int end) {
    if (start < 0 || end < start || end > order.length) {
      throw new IndexOutOfBoundsException("rows [" + start + ", " + end + ") of a selection of " + order.length);
    }
    if (selection == null && from == 0) {
      return new PrivateTable(policy, columns, order, start, end);
    }
    return subset(java.util.Arrays.copyOfRange(order, start, end));
  }

  /** The position in the columns of this table's row {@code i}. */
  private int row(int i) {
    if (i < 0 || i >= rows()) {
      throw new IndexOutOfBoundsException("row " + i + " of a table of " + rows());
    }
    return selection == null ? from + i : selection[from + i];
  }

  public DatasetPolicy policy() {
    return policy;
  }

  /** The true number of rows: private, for the engine's use only, never shown to a scientist. */
  public int rows() {
    return to - from;
  }

  /**
   * Which rows of a column are missing (all false in a column that allows no missing values): private, like
   * every value, for the mechanisms and the synthesizer.
   */
  public boolean[] missing(String column) {
    boolean[] values = columns.missing().get(column);
    if (values == null) {
      throw new IllegalArgumentException("No column '" + column + "'");
    }
    boolean[] copy = new boolean[rows()];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = values[row(i)];
    }
    return copy;
  }

  /** The rows of this table where {@code column} is not missing, sharing the table's columns. */
  public PrivateTable withoutMissing(String column) {
    boolean[] missing = missing(column);
    int[] present = new int[missing.length];
    int kept = 0;
    for (int i = 0; i < missing.length; i++) {
      if (!missing[i]) {
        present[kept++] = i;
      }
    }
    return subset(java.util.Arrays.copyOf(present, kept));
  }

  /** A copy of a numeric column's values (clamped into bounds; a missing one as described above). */
  public double[] numeric(String column) {
    double[] values = numericColumn(column);
    double[] copy = new double[rows()];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = values[row(i)];
    }
    return copy;
  }

  public List<String> categorical(String column) {
    List<String> values = categoricalColumn(column);
    if (selection == null && from == 0 && to == values.size()) {
      return values;
    }
    List<String> selected = new ArrayList<>(rows());
    for (int i = 0; i < rows(); i++) {
      selected.add(values.get(row(i)));
    }
    return List.copyOf(selected);
  }

  /**
   * A numeric column's values for OpenDP. The rows are gathered in native memory from the table's own column:
   * making it allocates nothing in Java, whichever rows this table holds.
   */
  public Data numericData(String column) {
    return Data.vecF64(numericColumn(column), selection, from, to);
  }

  /**
   * A numeric column in whole multiples of {@code unit} (each value rounded) for OpenDP's integer sums, made once
   * for the whole column and gathered like {@link #numericData}.
   */
  public Data fixedPointData(String column, double unit) {
    long[] fixed = columns.fixedPoint().computeIfAbsent(column + "/" + unit, key -> {
      double[] values = numericColumn(column);
      long[] multiples = new long[values.length];
      for (int i = 0; i < values.length; i++) {
        multiples[i] = Math.round(values[i] / unit);
      }
      return multiples;
    });
    return Data.vecI64(fixed, selection, from, to);
  }

  /** A categorical column's values for OpenDP, encoded once for the whole column and gathered like {@link #numericData}. */
  public Data categoricalData(String column) {
    Data.StringColumn encoded = columns.encoded().computeIfAbsent(column,
        name -> Data.StringColumn.of(categoricalColumn(name)));
    return Data.vecString(encoded, selection, from, to);
  }

  private double[] numericColumn(String column) {
    double[] values = columns.numeric().get(column);
    if (values == null) {
      throw new IllegalArgumentException("No numeric column '" + column + "'");
    }
    return values;
  }

  private List<String> categoricalColumn(String column) {
    List<String> values = columns.categorical().get(column);
    if (values == null) {
      throw new IllegalArgumentException("No categorical column '" + column + "'");
    }
    return values;
  }
}
