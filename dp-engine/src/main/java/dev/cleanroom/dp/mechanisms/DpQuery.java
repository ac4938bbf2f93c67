package dev.cleanroom.dp.mechanisms;

import java.util.Map;

/**
 * A differentially private question about one dataset, with the privacy loss the scientist is willing
 * to spend on it.
 *
 * <p>{@code delta == 0} asks for pure ε-DP (Laplace noise; the exponential mechanism for quantiles);
 * {@code delta > 0} asks for Gaussian noise, accounted in zero-concentrated DP and converted by OpenDP
 * to the (ε, δ) that is charged.
 *
 * @param <T> the type of the answer
 */
public sealed interface DpQuery<T>
    permits DpQuery.Count, DpQuery.MissingCount, DpQuery.Sum, DpQuery.Mean, DpQuery.Histogram, DpQuery.PeriodHistogram,
    DpQuery.Quantile {

  double epsilon();

  double delta();

  /** A one-line description for logs and the audit trail, such as {@code mean(charges)}. */
  String describe();

  /** Number of rows. */
  record Count(double epsilon, double delta) implements DpQuery<Long> {
    @Override
    public String describe() {
      return "count()";
    }
  }

  /** Number of rows whose {@code column} is missing. */
  record MissingCount(String column, double epsilon, double delta) implements DpQuery<Long> {
    @Override
    public String describe() {
      return "missing(" + column + ")";
    }
  }

  /** Sum of a numeric column, each value clamped to the column's declared bounds. */
  record Sum(String column, double epsilon, double delta) implements DpQuery<Double> {
    @Override
    public String describe() {
      return "sum(" + column + ")";
    }
  }

  /** Mean of a numeric column: a DP sum over a DP count, each spending half of the privacy loss. */
  record Mean(String column, double epsilon, double delta) implements DpQuery<Double> {
    @Override
    public String describe() {
      return "mean(" + column + ")";
    }
  }

  /** Count per declared category of a categorical column, plus {@value Mechanisms#OTHER} for the rest. */
  record Histogram(String column, double epsilon, double delta) implements DpQuery<Map<String, Long>> {
    @Override
    public String describe() {
      return "histogram(" + column + ")";
    }
  }

  /**
   * Count per {@code period} ({@code year}, {@code month} or {@code day}) of a date or timestamp column, over every
   * period between its declared bounds, plus {@value Mechanisms#OTHER} (always near 0: values are within bounds).
   */
  record PeriodHistogram(String column, String period, double epsilon, double delta)
      implements DpQuery<Map<String, Long>> {
    @Override
    public String describe() {
      return "histogram(" + column + " by " + period + ")";
    }
  }

  /** The {@code alpha}-quantile of a numeric column (0.5 is the median), by the exponential mechanism. */
  record Quantile(String column, double alpha, double epsilon) implements DpQuery<Double> {
    @Override
    public double delta() {
      return 0;
    }

    @Override
    public String describe() {
      return "quantile(" + column + ", " + alpha + ")";
    }
  }

  static Count count(double epsilon) {
    return new Count(epsilon, 0);
  }

  static MissingCount missingCount(String column, double epsilon) {
    return new MissingCount(column, epsilon, 0);
  }

  static Sum sum(String column, double epsilon) {
    return new Sum(column, epsilon, 0);
  }

  static Mean mean(String column, double epsilon) {
    return new Mean(column, epsilon, 0);
  }

  static Histogram histogram(String column, double epsilon) {
    return new Histogram(column, epsilon, 0);
  }

  static PeriodHistogram byPeriod(String column, String period, double epsilon) {
    return new PeriodHistogram(column, period, epsilon, 0);
  }

  static Quantile median(String column, double epsilon) {
    return new Quantile(column, 0.5, epsilon);
  }
}
