package dev.cleanroom.dp.policy;

import java.util.OptionalDouble;

/**
 * Whether a column may hold missing values, and what the stage-1 views do with them. A column that does not
 * allow them reads a missing marker as an invalid value (clamped or rejected, as the policy says); one that does
 * keeps it as missing: a numeric aggregate skips it or reads it as the declared {@code imputed} value, a histogram
 * counts it in its {@value ColumnPolicy#MISSING} bucket.
 *
 * @param allowed whether the column may hold missing values
 * @param imputed the value numeric aggregates read in place of a missing one; empty: they skip it
 * @param mockRate the share of mock rows whose value is missing (the real rate is private; the synthetic view
 *     measures it with DP)
 */
public record MissingValues(boolean allowed, OptionalDouble imputed, double mockRate) {
  /** The mock view's share of missing values when a column allows them and declares no rate. */
  public static final double DEFAULT_MOCK_RATE = 0.05;

  /** A column with no missing values. */
  public static final MissingValues NONE = new MissingValues(false, OptionalDouble.empty(), 0);

  public MissingValues {
    if (!(mockRate >= 0 && mockRate <= 1)) {
      throw new IllegalArgumentException("A mock rate of missing values is a share in [0, 1], got " + mockRate);
    }
    if (!allowed && (imputed.isPresent() || mockRate > 0)) {
      throw new IllegalArgumentException("A column that allows no missing values has no imputed value nor mock rate");
    }
    if (imputed.isPresent() && !Double.isFinite(imputed.getAsDouble())) {
      throw new IllegalArgumentException("An imputed value must be a finite number, got " + imputed.getAsDouble());
    }
  }

  /** Missing values allowed and skipped by aggregates, at the default mock rate. */
  public static MissingValues skipped() {
    return new MissingValues(true, OptionalDouble.empty(), DEFAULT_MOCK_RATE);
  }

  /** Missing values allowed and read as {@code value} by numeric aggregates, at the default mock rate. */
  public static MissingValues imputedAs(double value) {
    return new MissingValues(true, OptionalDouble.of(value), DEFAULT_MOCK_RATE);
  }

  /** The same treatment at another mock rate. */
  public MissingValues withMockRate(double rate) {
    return new MissingValues(allowed, imputed, rate);
  }
}
