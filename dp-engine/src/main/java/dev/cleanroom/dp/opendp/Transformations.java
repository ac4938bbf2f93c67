package dev.cleanroom.dp.opendp;

import java.util.List;

/**
 * OpenDP's transformation constructors ({@code opendp.transformations}), with OpenDP's names and
 * argument order. The caller keeps ownership of every argument: OpenDP copies what it needs.
 */
public final class Transformations {
  private Transformations() {}

  /** {@code make_clamp}: clamps each element of a vector to [lower, upper]. The domain must exclude NaN. */
  public static Transformation makeClamp(Domain domain, Metric metric, double lower, double upper) {
    try (Data bounds = Data.tupleF64(lower, upper)) {
      return new Transformation(Native.makeClamp(domain.pointer(), metric.pointer(), bounds.pointer()));
    } finally {
      keepAlive(domain, metric);
    }
  }

  /** {@code make_clamp} for integer vectors. */
  public static Transformation makeClamp(Domain domain, Metric metric, long lower, long upper) {
    try (Data bounds = Data.tupleI64(lower, upper)) {
      return new Transformation(Native.makeClamp(domain.pointer(), metric.pointer(), bounds.pointer()));
    } finally {
      keepAlive(domain, metric);
    }
  }

  /** {@code make_impute_constant}: replaces NaN elements by {@code constant}. */
  public static Transformation makeImputeConstant(Domain domain, Metric metric, double constant) {
    try (Data value = Data.f64(constant)) {
      return new Transformation(Native.makeImputeConstant(domain.pointer(), metric.pointer(), value.pointer()));
    } finally {
      keepAlive(domain, metric);
    }
  }

  /** {@code make_sum}: sum of a vector whose elements are bounded. */
  public static Transformation makeSum(Domain domain, Metric metric) {
    try {
      return new Transformation(Native.makeSum(domain.pointer(), metric.pointer()));
    } finally {
      keepAlive(domain, metric);
    }
  }

  /** {@code make_count}: number of elements, as {@code outputType} (such as {@code i64}). */
  public static Transformation makeCount(Domain domain, Metric metric, String outputType) {
    try {
      return new Transformation(Native.makeCount(domain.pointer(), metric.pointer(), outputType));
    } finally {
      keepAlive(domain, metric);
    }
  }

  /** {@code make_mean}: mean of a bounded vector of known size. */
  public static Transformation makeMean(Domain domain, Metric metric) {
    try {
      return new Transformation(Native.makeMean(domain.pointer(), metric.pointer()));
    } finally {
      keepAlive(domain, metric);
    }
  }

  /** {@code make_resize}: pads with {@code constant} or samples down to exactly {@code size} elements. */
  public static Transformation makeResize(Domain domain, Metric metric, int size, double constant) {
    try (Data value = Data.f64(constant)) {
      return new Transformation(
          Native.makeResize(domain.pointer(), metric.pointer(), size, value.pointer(), "SymmetricDistance"));
    } finally {
      keepAlive(domain, metric);
    }
  }

  /**
   * {@code make_count_by_categories}: counts of each category in order; with {@code nullCategory} one
   * more count at the end for values outside the categories.
   */
  public static Transformation makeCountByCategories(
      Domain domain, Metric metric, List<String> categories, boolean nullCategory, String outputMetric,
      String outputType) {
    try (Data values = Data.vecString(categories)) {
      return new Transformation(Native.makeCountByCategories(
          domain.pointer(), metric.pointer(), values.pointer(), nullCategory, outputMetric, outputType));
    } finally {
      keepAlive(domain, metric);
    }
  }

  /**
   * {@code make_count_by}: the count of each distinct value, as a {@code HashMap<TK, valueType>}; one row
   * changes one count by one (L0, L∞ of 1).
   */
  public static Transformation makeCountBy(Domain domain, Metric metric, String valueType) {
    try {
      return new Transformation(Native.makeCountBy(domain.pointer(), metric.pointer(), valueType));
    } finally {
      keepAlive(domain, metric);
    }
  }

  static void keepAlive(Object... handles) {
    java.lang.ref.Reference.reachabilityFence(handles);
  }
}
