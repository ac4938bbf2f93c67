package dev.cleanroom.dp.mechanisms;

import java.util.List;

/**
 * The exact aggregates of one part of a dataset's rows, computed by an engine outside the JVM's heap (see
 * {@code dev.cleanroom.dp.source}) exactly as the OpenDP transformation a query chains before its noise
 * would compute them on the same rows. A prepared query then adds OpenDP's noise to them, with the scale
 * and the cost OpenDP's privacy map gave for the whole chain (transformation, then noise).
 *
 * <p>Every value an implementation reads obeys {@code PrivateTable}'s invariant (within bounds, a declared
 * category or (other)), and no method may fail because of what a row holds.
 */
public interface Aggregates {
  /** The number of rows, as OpenDP's {@code make_count} gives it. */
  long count();

  /**
   * The sum of each value rounded to a multiple of {@code unit} ({@link Math#round} of value / unit),
   * clamped into [lower, upper]: OpenDP's {@code make_clamp} then {@code make_sum} on those integers.
   */
  long fixedPointSum(String column, double unit, long lower, long upper);

  /**
   * The number of rows per category of {@code categories} in that order, then the rows with any other value:
   * OpenDP's {@code make_count_by_categories} with its null category.
   */
  long[] categoryCounts(String column, List<String> categories);

  /** The column's values, for the mechanisms OpenDP runs on the rows themselves (quantiles). */
  double[] values(String column);
}
