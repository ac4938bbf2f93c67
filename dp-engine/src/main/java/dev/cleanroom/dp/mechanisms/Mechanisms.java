package dev.cleanroom.dp.mechanisms;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.opendp.Combinators;
import dev.cleanroom.dp.opendp.Data;
import dev.cleanroom.dp.opendp.Domain;
import dev.cleanroom.dp.opendp.Domains;
import dev.cleanroom.dp.opendp.Measurement;
import dev.cleanroom.dp.opendp.Measurements;
import dev.cleanroom.dp.opendp.Measures;
import dev.cleanroom.dp.opendp.Metric;
import dev.cleanroom.dp.opendp.Metrics;
import dev.cleanroom.dp.opendp.Transformation;
import dev.cleanroom.dp.opendp.Transformations;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.PrivateTable;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Builds OpenDP mechanisms for queries on one dataset, with sensitivity taken from the dataset's
 * policy (declared bounds and categories), never from the data.
 *
 * <p>Every rejection ({@link QueryRejectedException}) happens in {@link #prepare} before any charge,
 * and without reading a row: how long a refusal takes says nothing about the data, and refusals are free.
 */
public final class Mechanisms {
  /** The histogram bucket for values outside the declared categories. */
  public static final String OTHER = ColumnPolicy.Categorical.OTHER;

  /** Quantile candidates: evenly spaced over the declared bounds, both ends included. */
  static final int QUANTILE_CANDIDATES = 1024;

  /** The most periods a histogram of dates may have: beyond, each count drowns in the noise of its many peers. */
  static final int MAX_PERIODS = 10_000;

  private final DatasetPolicy policy;

  /** Mechanisms calibrated from {@code policy} alone: no row is read until a prepared query is released. */
  public Mechanisms(DatasetPolicy policy) {
    this.policy = policy;
  }

  /** Checks the query against the policy and builds its mechanism; nothing is released or charged. */
  @SuppressWarnings("unchecked")
  public <T> PreparedQuery<T> prepare(DpQuery<T> query) {
    checkPrivacyArguments(query);
    return (PreparedQuery<T>) switch (query) {
      case DpQuery.Count count -> prepareCount(count);
      case DpQuery.MissingCount missing -> prepareMissingCount(missing);
      case DpQuery.Sum sum -> prepareSum(sum);
      case DpQuery.Mean mean -> prepareMean(mean);
      case DpQuery.Histogram histogram -> prepareHistogram(histogram);
      case DpQuery.PeriodHistogram histogram -> preparePeriodHistogram(histogram);
      case DpQuery.Quantile quantile -> prepareQuantile(quantile);
    };
  }

  /**
   * Checks the query, the filter {@code where} and the grouping against the policy and builds the mechanism
   * for answering once per declared category of {@code column} on the rows {@code where} keeps; nothing is
   * read, released or charged. One charge of {@link GroupedQuery#cost()} pays for all groups (see there why).
   */
  public <T> GroupedQuery<T> prepareByGroup(DpQuery<T> query, Map<String, String> where, String column) {
    RowFilter.checkGroups(policy, where, column);
    if (query instanceof DpQuery.Histogram histogram && histogram.column().equals(column)) {
      throw new QueryRejectedException("invalid_request", "A histogram of '" + column + "' grouped by '" + column
          + "' has one non-zero bar per group; ask the histogram without the group-by instead");
    }
    return new GroupedQuery<>(prepare(query), column);
  }

  private void checkPrivacyArguments(DpQuery<?> query) {
    PrivacyCost cap = policy.maxPerQuery();
    if (!(query.epsilon() > 0) || !Double.isFinite(query.epsilon())) {
      throw new QueryRejectedException("invalid_epsilon", "ε must be a positive number, got " + query.epsilon());
    }
    if (!(query.delta() >= 0) || query.delta() >= 1) {
      throw new QueryRejectedException("invalid_delta", "δ must be in [0, 1), got " + query.delta());
    }
    if (query.epsilon() < policy.minEpsilonPerQuery()) {
      throw new QueryRejectedException("under_query_minimum", "ε " + query.epsilon() + " is below the least ε a query"
          + " may spend on dataset '" + policy.dataset() + "' (" + policy.minEpsilonPerQuery()
          + "), so that timing queries is never free; ask for at least "
          + policy.minEpsilonPerQuery());
    }
    if (query.epsilon() > cap.epsilon()) {
      throw new QueryRejectedException("over_query_cap", "ε " + query.epsilon() + " is above the per-query cap of "
          + cap.epsilon() + " on dataset '" + policy.dataset() + "'; ask for at most " + cap.epsilon());
    }
    if (query.delta() > cap.delta()) {
      throw new QueryRejectedException("over_query_cap", "δ " + query.delta() + " is above the per-query cap of "
          + cap.delta() + " on dataset '" + policy.dataset() + "'"
          + (cap.delta() == 0 ? "; this dataset allows pure ε-DP queries only (δ = 0)" : ""));
    }
  }

  private PreparedQuery<Long> prepareCount(DpQuery.Count query) {
    Noise noise = Noise.forDelta(query.delta());
    Handles handles = new Handles();
    ColumnPolicy column = policy.valueColumns().get(0);
    // Dates and timestamps are held as numbers (days, seconds), booleans as categories.
    boolean numeric = column instanceof ColumnPolicy.Numeric || column instanceof ColumnPolicy.Temporal;
    Transformation count = handles.add(vectorTransformation(numeric ? "f64" : "String", true,
        (domain, metric) -> Transformations.makeCount(domain, metric, "i64")));
    Calibrated calibrated = calibrate(count, noise, query.epsilon(), handles);
    Function<Long, DpAnswer<Long>> answer =
        raw -> new DpAnswer<>(Math.max(0, raw), calibrated.cost(), noise.name(), calibrated.scale(), raw);
    return new PreparedQuery<>(query, policy, calibrated.cost(), noise.name(), rows -> {
      try (Data input = numeric ? rows.numericData(column.name()) : rows.categoricalData(column.name());
          Data output = calibrated.measurement().invoke(input)) {
        return answer.apply(output.asI64());
      }
    }, aggregates -> answer.apply(invokeI64(calibrated.noise(), aggregates.count())), handles);
  }

  /**
   * The rows whose column is missing, counted as OpenDP's sum of 0/1 indicators clamped to [0, 1]: one value per
   * row, whichever rows are missing, so the work is that of every row.
   */
  private PreparedQuery<Long> prepareMissingCount(DpQuery.MissingCount query) {
    ColumnPolicy column = column(query.column());
    if (!column.missing().allowed()) {
      throw new QueryRejectedException("no_missing_values", "Column '" + column.name() + "' of dataset '"
          + policy.dataset() + "' declares no missing values, so none are held; counting them spends ε for nothing");
    }
    Noise noise = Noise.forDelta(query.delta());
    Handles handles = new Handles();
    Transformation indicators = handles.add(vectorTransformation("i64", false, (domain, metric) -> {
      try (Transformation clamp = Transformations.makeClamp(domain, metric, 0L, 1L);
          Domain clamped = clamp.outputDomain();
          Metric clampedMetric = clamp.outputMetric();
          Transformation sum = Transformations.makeSum(clamped, clampedMetric)) {
        return Combinators.makeChainTt(sum, clamp);
      }
    }));
    Calibrated calibrated = calibrate(indicators, noise, query.epsilon(), handles);
    return new PreparedQuery<>(query, policy, calibrated.cost(), noise.name(), rows -> {
      boolean[] missing = rows.missing(column.name());
      long[] ones = new long[missing.length];
      for (int i = 0; i < missing.length; i++) {
        ones[i] = missing[i] ? 1 : 0;
      }
      try (Data input = Data.vecI64(ones); Data output = calibrated.measurement().invoke(input)) {
        long raw = output.asI64();
        return new DpAnswer<>(Math.max(0, raw), calibrated.cost(), noise.name(), calibrated.scale(), raw);
      }
    }, aggregates -> {
      // RowSources serves a dataset with missing values from the heap only (DuckDbRows refuses it at load).
      throw new IllegalStateException("a count of missing values reads the rows of the heap table");
    }, handles);
  }

  private PreparedQuery<Double> prepareSum(DpQuery.Sum query) {
    ColumnPolicy.Numeric column = numericColumn(query.column(), "sum");
    MissingTreatment missing = new MissingTreatment(column);
    Noise noise = Noise.forDelta(query.delta());
    Handles handles = new Handles();
    FixedPointSum sum = new FixedPointSum(column, handles);
    Calibrated calibrated = calibrate(sum.transformation(), noise, query.epsilon(), handles);
    Function<Double, DpAnswer<Double>> answer = value -> new DpAnswer<>(value, calibrated.cost(), noise.name(),
        sum.inUnits(calibrated.scale()), value, missing.describe("sum"));
    return new PreparedQuery<>(query, policy, calibrated.cost(), noise.name(),
        rows -> answer.apply(sum.release(calibrated.measurement(), missing.rows(rows), column.name())),
        aggregates -> answer.apply(sum.release(calibrated.noise(), aggregates)), handles);
  }

  /** Mean as DP sum / DP count, each with half of ε and δ: the row count is private too. */
  private PreparedQuery<Double> prepareMean(DpQuery.Mean query) {
    ColumnPolicy.Numeric column = numericColumn(query.column(), "mean");
    MissingTreatment missing = new MissingTreatment(column);
    Noise noise = Noise.forDelta(query.delta() / 2);
    Handles handles = new Handles();
    FixedPointSum sum = new FixedPointSum(column, handles);
    Transformation count = handles.add(
        vectorTransformation("f64", false, (domain, metric) -> Transformations.makeCount(domain, metric, "i64")));
    Calibrated sumPart = calibrate(sum.transformation(), noise, query.epsilon() / 2, handles);
    Calibrated countPart = calibrate(count, noise, query.epsilon() / 2, handles);
    PrivacyCost cost = sumPart.cost().plus(countPart.cost());
    BiFunction<Double, Long, DpAnswer<Double>> answer = (noisySum, noisyCount) -> {
      // Post-processing: a mean outside the declared bounds is certainly wrong, so it is clamped.
      double mean = noisyCount > 0 ? column.clamp(noisySum / noisyCount) : (column.lower() + column.upper()) / 2;
      return new DpAnswer<>(mean, cost, noise.name(), sum.inUnits(sumPart.scale()) / Math.max(1, noisyCount), mean,
          missing.describe("mean"));
    };
    return new PreparedQuery<>(query, policy, cost, noise.name(), rows -> {
      PrivateTable read = missing.rows(rows);
      double noisySum = sum.release(sumPart.measurement(), read, column.name());
      try (Data input = read.numericData(column.name()); Data output = countPart.measurement().invoke(input)) {
        return answer.apply(noisySum, output.asI64());
      }
    }, aggregates -> answer.apply(sum.release(sumPart.noise(), aggregates),
        invokeI64(countPart.noise(), aggregates.count())), handles);
  }

  private PreparedQuery<Map<String, Long>> prepareHistogram(DpQuery.Histogram query) {
    ColumnPolicy.Categorical column = categoricalColumn(query.column());
    return countByBucket(query, column, column.categories(), rows -> rows.categoricalData(column.name()),
        aggregates -> aggregates.categoryCounts(column.name(), column.categories()));
  }

  /**
   * Count per year, month or day of a date or timestamp column: every period from the lower bound's to the upper
   * bound's is a bucket, named from the policy alone; each row's value becomes its period's name.
   */
  private PreparedQuery<Map<String, Long>> preparePeriodHistogram(DpQuery.PeriodHistogram query) {
    if (!(column(query.column()) instanceof ColumnPolicy.Temporal column)) {
      throw new QueryRejectedException("wrong_column_type", "Column '" + query.column()
          + "' is not a date or timestamp; a histogram by " + query.period() + " needs one");
    }
    Function<LocalDate, String> period = switch (query.period()) {
      case "year" -> day -> Integer.toString(day.getYear());
      case "month" -> day -> YearMonth.from(day).toString();
      case "day" -> LocalDate::toString;
      default -> throw new QueryRejectedException("invalid_argument",
          "A histogram of dates is by year, month or day, got '" + query.period() + "'");
    };
    List<String> periods = new ArrayList<>();
    for (LocalDate day = column.day(column.lower()); !day.isAfter(column.day(column.upper())); day = day.plusDays(1)) {
      String name = period.apply(day);
      if (periods.isEmpty() || !periods.getLast().equals(name)) {
        periods.add(name);
      }
      if (periods.size() > MAX_PERIODS) {
        throw new QueryRejectedException("invalid_argument", "Column '" + column.name() + "' spans more than "
            + MAX_PERIODS + " " + query.period() + "s between its bounds; ask by a longer period");
      }
    }
    return countByBucket(query, column, periods, rows -> {
      double[] values = rows.numeric(column.name());
      boolean[] missing = rows.missing(column.name());
      List<String> names = new ArrayList<>(values.length);
      for (int i = 0; i < values.length; i++) {
        names.add(missing[i] ? ColumnPolicy.MISSING : period.apply(column.day((long) values[i])));
      }
      return Data.vecString(names);
    }, aggregates -> {
      // RowSources serves date and timestamp columns from the heap only (DuckDbRows refuses them at load).
      throw new IllegalStateException("a histogram by period reads the rows of the heap table");
    });
  }

  /**
   * OpenDP's count per bucket of the strings {@code values} gives each row (as OpenDP data): the declared {@code buckets}, then
   * {@link ColumnPolicy#MISSING} if the column allows missing values, then {@link #OTHER} for the rest; or OpenDP's
   * noise on an engine's exact counts per bucket in that order ({@code engineCounts}).
   */
  private PreparedQuery<Map<String, Long>> countByBucket(DpQuery<Map<String, Long>> query, ColumnPolicy column,
      List<String> declared, Function<PrivateTable, Data> values, Function<Aggregates, long[]> engineCounts) {
    List<String> buckets = new ArrayList<>(declared);
    if (column.missing().allowed()) {
      buckets.add(ColumnPolicy.MISSING);
    }
    String missing = new MissingTreatment(column).describe("histogram");
    Noise noise = Noise.forDelta(query.delta());
    Handles handles = new Handles();
    Transformation counts = handles.add(vectorTransformation("String", false,
        (domain, metric) -> Transformations.makeCountByCategories(
            domain, metric, buckets, true, noise.outputMetric(), "i64")));
    Calibrated calibrated = calibrate(counts, noise, query.epsilon(), handles);
    Function<long[], DpAnswer<Map<String, Long>>> answer = noisy -> {
      Map<String, Long> histogram = new LinkedHashMap<>();
      Map<String, Long> raw = new LinkedHashMap<>();
      List<String> labels = new ArrayList<>(buckets);
      labels.add(OTHER);
      for (int i = 0; i < labels.size(); i++) {
        histogram.put(labels.get(i), Math.max(0, noisy[i]));
        raw.put(labels.get(i), noisy[i]);
      }
      return new DpAnswer<>(Collections.unmodifiableMap(histogram), calibrated.cost(), noise.name(), calibrated.scale(),
          Collections.unmodifiableMap(raw), missing);
    };
    return new PreparedQuery<>(query, policy, calibrated.cost(), noise.name(), rows -> {
      try (Data input = values.apply(rows); Data output = calibrated.measurement().invoke(input)) {
        return answer.apply(output.asI64Vec());
      }
    }, aggregates -> {
      try (Data input = Data.vecI64(engineCounts.apply(aggregates)); Data output = calibrated.noise().invoke(input)) {
        return answer.apply(output.asI64Vec());
      }
    }, handles);
  }

  private PreparedQuery<Double> prepareQuantile(DpQuery.Quantile query) {
    ColumnPolicy.Numeric column = numericColumn(query.column(), "quantile");
    MissingTreatment missing = new MissingTreatment(column);
    if (!(query.alpha() > 0 && query.alpha() < 1)) {
      throw new QueryRejectedException("invalid_argument",
          "A quantile's alpha must be strictly between 0 and 1 (0.5 is the median), got " + query.alpha());
    }
    double[] candidates = new double[QUANTILE_CANDIDATES];
    for (int i = 0; i < candidates.length; i++) {
      candidates[i] = column.lower() + (column.upper() - column.lower()) * i / (candidates.length - 1);
    }
    Handles handles = new Handles();
    Domain atom = handles.add(Domains.atomDomain("f64", false));
    Domain vector = handles.add(Domains.vectorDomain(atom));
    Metric symmetric = handles.add(Metrics.symmetricDistance());
    var pure = handles.add(Measures.maxDivergence());
    Function<Double, Measurement> make =
        scale -> Measurements.makePrivateQuantile(vector, symmetric, pure, candidates, query.alpha(), scale);
    Noise laplaceCost = new Noise.Laplace(); // pure ε read from the map, as for Laplace
    double scale = Noise.calibrate(s -> {
      try (Measurement m = make.apply(s)) {
        return laplaceCost.cost(m);
      }
    }, query.epsilon());
    Measurement quantile = handles.add(make.apply(scale));
    PrivacyCost cost = laplaceCost.cost(quantile);
    Function<Double, DpAnswer<Double>> answer =
        value -> new DpAnswer<>(value, cost, "exponential", scale, value, missing.describe("quantile"));
    return new PreparedQuery<>(query, policy, cost, "exponential", rows -> {
      try (Data input = missing.rows(rows).numericData(column.name()); Data output = quantile.invoke(input)) {
        return answer.apply(output.asF64());
      }
    }, aggregates -> {
      try (Data input = Data.vecF64(aggregates.values(column.name())); Data output = quantile.invoke(input)) {
        return answer.apply(output.asF64());
      }
    }, handles);
  }

  /** The aggregate's mechanism, what it costs, and its noise alone (for aggregates computed outside OpenDP). */
  private record Calibrated(Measurement measurement, PrivacyCost cost, double scale, Measurement noise) {}

  private static Calibrated calibrate(Transformation aggregate, Noise noise, double epsilon, Handles handles) {
    double scale = Noise.calibrate(s -> {
      try (Handles scratch = new Handles(); Measurement m = noise.after(aggregate, s, scratch)) {
        return noise.cost(m);
      }
    }, epsilon);
    Measurement measurement = handles.add(noise.after(aggregate, scale, handles));
    return new Calibrated(measurement, noise.cost(measurement), scale, handles.add(noise.alone(aggregate, scale, handles)));
  }

  /**
   * The sum of a numeric column, computed by OpenDP in fixed point: each value (within its bounds since
   * loading) rounded to a multiple of {@code unit}, a power of two chosen from the bounds alone so that
   * 2^31 rows of the larger bound still fit a long. Why not OpenDP's float sum: on a vector of unknown
   * length it adds a random subset of at most 2^20 rows (2,000,000 rows of 1000.0 summed to 1.05e9).
   * OpenDP's integer sum adds every row, and its map gives the sensitivity of the clamped integers;
   * rounding each row is a per-row function of public constants, so it changes no privacy argument.
   */
  private static final class FixedPointSum {
    private final double unit;
    private final long lower;
    private final long upper;
    private final String column;
    private final Transformation transformation;

    FixedPointSum(ColumnPolicy.Numeric column, Handles handles) {
      double largest = Math.max(Math.abs(column.lower()), Math.abs(column.upper()));
      // largest < 2^(exponent + 1), so largest / unit < 2^31.
      unit = Math.scalb(1.0, Math.getExponent(largest) + 1 - 31);
      lower = (long) Math.floor(column.lower() / unit);
      upper = (long) Math.ceil(column.upper() / unit);
      this.column = column.name();
      transformation = handles.add(vectorTransformation("i64", false, (domain, metric) -> {
        try (Transformation clamp = Transformations.makeClamp(domain, metric, lower, upper);
            Domain clamped = clamp.outputDomain();
            Metric clampedMetric = clamp.outputMetric();
            Transformation sum = Transformations.makeSum(clamped, clampedMetric)) {
          return Combinators.makeChainTt(sum, clamp);
        }
      }));
    }

    Transformation transformation() {
      return transformation;
    }

    /** Runs {@code measurement} (noise after {@link #transformation}) on {@code column} of {@code rows}: the noisy sum. */
    double release(Measurement measurement, PrivateTable rows, String column) {
      try (Data input = rows.fixedPointData(column, unit); Data output = measurement.invoke(input)) {
        return output.asI64() * unit;
      }
    }

    /** Adds {@code noise} (that of the measurement, alone) to the engine's exact fixed-point sum. */
    double release(Measurement noise, Aggregates aggregates) {
      return invokeI64(noise, aggregates.fixedPointSum(column, unit, lower, upper)) * unit;
    }

    /** A noise scale in fixed-point steps, in the column's own unit. */
    double inUnits(double scale) {
      return scale * unit;
    }
  }

  private interface VectorStep {
    Transformation make(Domain domain, Metric metric);
  }

  /** A transformation on vectors of {@code type} under the symmetric (add/remove one row) distance. */
  private static Transformation vectorTransformation(String type, boolean nan, VectorStep step) {
    try (Domain atom = type.equals("f64") ? Domains.atomDomain(type, nan) : Domains.atomDomain(type);
        Domain vector = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance()) {
      return step.make(vector, symmetric);
    }
  }

  private static long invokeI64(Measurement measurement, long value) {
    try (Data input = Data.i64(value); Data output = measurement.invoke(input)) {
      return output.asI64();
    }
  }

  private ColumnPolicy column(String name) {
    ColumnPolicy column = policy.column(name)
        .filter(c -> !(c instanceof ColumnPolicy.Excluded))
        .orElseThrow(() -> new QueryRejectedException("unknown_column", "Dataset '" + policy.dataset()
            + "' has no column '" + name + "'; its columns are: " + policy.columnNames()));
    if (column instanceof ColumnPolicy.Identifier) {
      throw new QueryRejectedException("identifier_column", "Column '" + name + "' of dataset '" + policy.dataset()
          + "' is an identifier: no DP answer holds one. Join on it in stage 2; ask DP questions of other columns");
    }
    return column;
  }

  /** A numeric column, or a date or timestamp as the whole days or seconds it is held as. */
  private ColumnPolicy.Numeric numericColumn(String name, String operation) {
    ColumnPolicy column = column(name);
    if (column instanceof ColumnPolicy.Numeric numeric) {
      return numeric;
    }
    if (column instanceof ColumnPolicy.Temporal temporal) {
      return temporal.asNumeric();
    }
    throw new QueryRejectedException("wrong_column_type", "Column '" + name + "' is categorical; " + operation
        + " needs a numeric column (use a histogram for categorical columns)");
  }

  private ColumnPolicy.Categorical categoricalColumn(String name) {
    ColumnPolicy column = column(name);
    if (column instanceof ColumnPolicy.Categorical categorical) {
      return categorical;
    }
    if (column instanceof ColumnPolicy.Bool bool) {
      return bool.asCategorical();
    }
    throw new QueryRejectedException("wrong_column_type",
        "Column '" + name + "' is numeric; a histogram needs a categorical column (use quantiles or a mean)");
  }
}
