package dev.cleanroom.dp.table;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.InvalidValues;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A provider's real rows, held column by column in the one process allowed to hold them (the DP query
 * service, or the TEE). Only declared columns are kept; undeclared and excluded ones are dropped on load.
 *
 * <p>Invariant: every numeric value lies within its declared bounds and is not NaN, and every
 * categorical value is one of its column's declared categories or {@link ColumnPolicy.Categorical#OTHER}.
 * Nothing the data holds (NUL, broken UTF-8, megabyte strings, NaN, infinities, text in a numeric column)
 * survives loading, so no value can make a mechanism fail after its charge: a failure that depended on
 * one person's row would tell that row's value for free.
 */
public final class PrivateTable {
  private final DatasetPolicy policy;
  private final int rows;
  private final Map<String, double[]> numeric;
  private final Map<String, List<String>> categorical;

  private PrivateTable(
      DatasetPolicy policy, int rows, Map<String, double[]> numeric, Map<String, List<String>> categorical) {
    this.policy = policy;
    this.rows = rows;
    this.numeric = numeric;
    this.categorical = categorical;
  }

  /** Reads a CSV file with a header row and applies the policy's schema. */
  public static PrivateTable load(Path csv, DatasetPolicy policy) throws IOException {
    return of(CsvFile.read(csv), policy);
  }

  public static PrivateTable of(CsvFile csv, DatasetPolicy policy) {
    Map<String, double[]> numeric = new LinkedHashMap<>();
    Map<String, List<String>> categorical = new LinkedHashMap<>();
    Map<String, Integer> invalid = new TreeMap<>();
    for (ColumnPolicy column : policy.visibleColumns()) {
      int index = csv.header().indexOf(column.name());
      if (index < 0) {
        throw new InvalidDataException("Dataset '" + policy.dataset() + "' declares column '" + column.name()
            + "' but the CSV has only: " + String.join(", ", csv.header()));
      }
      switch (column) {
        case ColumnPolicy.Numeric n -> numeric.put(n.name(), numbers(csv, index, n, invalid));
        case ColumnPolicy.Categorical c -> categorical.put(c.name(), categories(csv, index, c, invalid));
        case ColumnPolicy.Excluded e -> { } // withheld by the provider: never loaded
      }
    }
    if (!invalid.isEmpty() && policy.invalidValues() == InvalidValues.REJECT) {
      throw new InvalidDataException("Dataset '" + policy.dataset() + "' has values outside its declared schema "
          + invalid + " (values per column); fix the data, widen the policy, or set invalid values to clamp");
    }
    return new PrivateTable(policy, csv.rows().size(), numeric, categorical);
  }

  private static double[] numbers(
      CsvFile csv, int index, ColumnPolicy.Numeric column, Map<String, Integer> invalid) {
    double[] values = new double[csv.rows().size()];
    for (int row = 0; row < values.length; row++) {
      double value = parse(csv.rows().get(row).get(index));
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

  /** Each value as its declared category (the policy's own string), anything else as (other). */
  private static List<String> categories(
      CsvFile csv, int index, ColumnPolicy.Categorical column, Map<String, Integer> invalid) {
    Map<String, String> declared = new HashMap<>();
    column.categories().forEach(category -> declared.put(category, category));
    List<String> values = new ArrayList<>(csv.rows().size());
    for (List<String> row : csv.rows()) {
      String category = declared.get(row.get(index).strip());
      if (category == null) {
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
    return new PrivateTable(policy, indexes.length, keptNumbers, keptCategories);
  }

  public DatasetPolicy policy() {
    return policy;
  }

  /** The true number of rows: private, for the engine's use only, never shown to a scientist. */
  public int rows() {
    return rows;
  }

  /** A copy of a numeric column's values (clamped into bounds). */
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
