package dev.cleanroom.dp.table;

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
  private final int rows;
  private final Map<String, double[]> numeric;
  private final Map<String, List<String>> categorical;
  private final Map<String, boolean[]> missing;

  private PrivateTable(DatasetPolicy policy, int rows, Map<String, double[]> numeric,
      Map<String, List<String>> categorical, Map<String, boolean[]> missing) {
    this.policy = policy;
    this.rows = rows;
    this.numeric = numeric;
    this.categorical = categorical;
    this.missing = missing;
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
    return new PrivateTable(policy, csv.rows().size(), numeric, categorical, missing);
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
    Map<String, double[]> keptNumbers = new LinkedHashMap<>();
    numeric.forEach((name, values) -> {
      double[] kept = new double[indexes.length];
      for (int i = 0; i < indexes.length; i++) {
        kept[i] = values[indexes[i]];
      }
      keptNumbers.put(name, kept);
    });
    Map<String, List<String>> keptCategories = new LinkedHashMap<>();
    categorical.forEach((name, values) -> {
      List<String> kept = new ArrayList<>(indexes.length);
      for (int index : indexes) {
        kept.add(values.get(index));
      }
      keptCategories.put(name, List.copyOf(kept));
    });
    Map<String, boolean[]> keptMissing = new LinkedHashMap<>();
    missing.forEach((name, values) -> {
      boolean[] kept = new boolean[indexes.length];
      for (int i = 0; i < indexes.length; i++) {
        kept[i] = values[indexes[i]];
      }
      keptMissing.put(name, kept);
    });
    return new PrivateTable(policy, indexes.length, keptNumbers, keptCategories, keptMissing);
  }

  public DatasetPolicy policy() {
    return policy;
  }

  /** The true number of rows: private, for the engine's use only, never shown to a scientist. */
  public int rows() {
    return rows;
  }

  /**
   * Which rows of a column are missing (all false in a column that allows no missing values): private, like
   * every value, for the mechanisms and the synthesizer.
   */
  public boolean[] missing(String column) {
    boolean[] values = missing.get(column);
    if (values == null) {
      throw new IllegalArgumentException("No column '" + column + "'");
    }
    return values.clone();
  }

  /** A copy of a numeric column's values (clamped into bounds; a missing one as described above). */
  public double[] numeric(String column) {
    double[] values = numeric.get(column);
    if (values == null) {
      throw new IllegalArgumentException("No numeric column '" + column + "'");
    }
    return values.clone();
  }

  public List<String> categorical(String column) {
    List<String> values = categorical.get(column);
    if (values == null) {
      throw new IllegalArgumentException("No categorical column '" + column + "'");
    }
    return values;
  }
}
