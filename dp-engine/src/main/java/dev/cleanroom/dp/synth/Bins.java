package dev.cleanroom.dp.synth;

import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.table.PrivateTable;
import java.util.Arrays;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * How one column's values become bin indices and back, fixed by the column's policy alone.
 *
 * <p>Invariant: the bins depend on the declared bounds and categories only, never on the data, so the
 * cells of every marginal (and with them the noise each cell gets) are public before any data is read.
 */
sealed interface Bins {
  /**
   * A numeric column gets at most this many bins: fine enough that a value drawn uniformly within its
   * bin stays near the real ones, coarse enough that a table of two numeric columns (at most 256 cells)
   * is not lost in noise at a few thousand rows. MST's compression merges thin bins further.
   */
  int TARGET_BINS = 16;

  /** No bin: a categorical value outside the declared categories, left out of every count. */
  int NONE = -1;

  static Bins of(ColumnPolicy column) {
    Bins values = switch (column) {
      case ColumnPolicy.Numeric numeric -> Numeric.of(numeric);
      case ColumnPolicy.Categorical categorical -> new Categories(categorical.categories());
      case ColumnPolicy.Bool bool -> new Categories(ColumnPolicy.Bool.VALUES);
      case ColumnPolicy.Temporal temporal -> new Dates(Numeric.of(temporal.asNumeric()), temporal);
      case ColumnPolicy.Excluded excluded ->
          throw new IllegalArgumentException("Excluded column '" + excluded.name() + "' has no bins");
      case ColumnPolicy.Identifier identifier ->
          throw new IllegalArgumentException("Identifier column '" + identifier.name() + "' has no bins");
    };
    return column.missing().allowed() ? new WithMissing(values) : values;
  }

  int size();

  /** Each row's bin in {@code column} of {@code table} ({@link #NONE} for an undeclared category). */
  int[] binsOf(PrivateTable table, String column);

  /** Whether neighbouring bins hold neighbouring values, so that thin ones merge with their neighbours. */
  default boolean ordered() {
    return false;
  }

  /** A value of this bin, drawn uniformly within it for a numeric column, as it is written to CSV. */
  String draw(int bin, RandomGenerator random);

  /**
   * Equal-width bins with a round width (1, 2, 2.5 or 5 times a power of ten, whole for integer
   * columns) whose edges are multiples of the width, so that bins line up with the round cut points
   * people read data by. The width is the smallest that keeps to {@link #TARGET_BINS}.
   *
   * <p>An integer value v stands for [v, v + 1), so each integer falls inside one bin; a real value on
   * the upper bound belongs to the last bin rather than to a bin of its own.
   */
  record Numeric(double lower, double upper, boolean integer, double width, long firstIndex, int size, int decimals)
      implements Bins {
    private static final double[] ROUND_STEPS = {1, 2, 2.5, 5};

    static Numeric of(ColumnPolicy.Numeric column) {
      double lower = column.integer() ? Math.ceil(column.lower()) : column.lower();
      double upper = column.integer() ? Math.floor(column.upper()) + 1 : column.upper();
      for (int exponent = -12; exponent <= 300; exponent++) {
        for (double step : ROUND_STEPS) {
          double width = step * Math.pow(10, exponent);
          if (column.integer() && (width < 1 || width != Math.rint(width))) {
            continue;
          }
          long first = (long) Math.floor(lower / width);
          long last = (long) Math.ceil(upper / width) - 1;
          if (last - first + 1 <= TARGET_BINS) {
            int decimals = column.integer() ? 0 : Math.max(3, (int) Math.ceil(-Math.log10((upper - lower) / 1e5)));
            return new Numeric(lower, upper, column.integer(), width, first, (int) (last - first + 1), decimals);
          }
        }
      }
      throw new IllegalArgumentException("Column '" + column.name() + "' has bounds too far apart to bin");
    }

    @Override
    public int[] binsOf(PrivateTable table, String column) {
      return Arrays.stream(table.numeric(column)).mapToInt(this::bin).toArray();
    }

    @Override
    public boolean ordered() {
      return true;
    }

    /** The bin of a value within the declared bounds (the table has clamped every value into them). */
    int bin(double value) {
      long index = (long) Math.floor(value / width) - firstIndex;
      return (int) Math.max(0, Math.min(size - 1, index));
    }

    /** Where bin {@code bin} starts and ends, cut to the declared bounds. */
    double start(int bin) {
      return Math.max(lower, (firstIndex + bin) * width);
    }

    double end(int bin) {
      return Math.min(upper, (firstIndex + bin + 1) * width);
    }

    @Override
    public String draw(int bin, RandomGenerator random) {
      double start = start(bin);
      double end = end(bin);
      if (integer) {
        long first = (long) Math.ceil(start);
        long last = (long) Math.ceil(end) - 1;
        return Long.toString(last > first ? random.nextLong(first, last + 1) : first);
      }
      double value = end > start ? random.nextDouble(start, end) : start;
      BigDecimal rounded = BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_EVEN);
      // Rounding must not carry a value past a bound that has more decimals than we write.
      if (rounded.doubleValue() < lower) {
        rounded = BigDecimal.valueOf(lower).setScale(decimals, RoundingMode.CEILING);
      } else if (rounded.doubleValue() > upper) {
        rounded = BigDecimal.valueOf(upper).setScale(decimals, RoundingMode.FLOOR);
      }
      return rounded.toPlainString();
    }
  }

  /** One bin per declared category, in the policy's order. */
  record Categories(List<String> categories) implements Bins {
    public Categories {
      categories = List.copyOf(categories);
    }

    int bin(String value) {
      return categories.indexOf(value);
    }

    @Override
    public int[] binsOf(PrivateTable table, String column) {
      return table.categorical(column).stream().mapToInt(this::bin).toArray();
    }

    @Override
    public int size() {
      return categories.size();
    }

    @Override
    public String draw(int bin, RandomGenerator random) {
      return categories.get(bin);
    }
  }

  /**
   * A column that allows missing values: its values' bins, then one more, last, for a missing value. Its noisy
   * count is the synthetic view's DP measurement of the column's missing rate, inside the plan's budget, so the
   * synthetic rows are missing at about the real rate. The bin is written as an empty cell.
   */
  record WithMissing(Bins values) implements Bins {
    @Override
    public int size() {
      return values.size() + 1;
    }

    @Override
    public int[] binsOf(PrivateTable table, String column) {
      int[] bins = values.binsOf(table, column);
      boolean[] missing = table.missing(column);
      for (int row = 0; row < bins.length; row++) {
        if (missing[row]) {
          bins[row] = values.size();
        }
      }
      return bins;
    }

    @Override
    public boolean ordered() {
      return values.ordered();
    }

    @Override
    public String draw(int bin, RandomGenerator random) {
      return bin == values.size() ? CsvFile.MISSING_CELL : values.draw(bin, random);
    }
  }

  /** A date or timestamp column: the bins of the days or seconds it is held as, drawn back as ISO-8601 text. */
  record Dates(Numeric values, ColumnPolicy.Temporal column) implements Bins {
    @Override
    public int size() {
      return values.size();
    }

    @Override
    public int[] binsOf(PrivateTable table, String name) {
      return values.binsOf(table, name);
    }

    @Override
    public boolean ordered() {
      return true;
    }

    @Override
    public String draw(int bin, RandomGenerator random) {
      return column.format(Long.parseLong(values.draw(bin, random)));
    }
  }
}
