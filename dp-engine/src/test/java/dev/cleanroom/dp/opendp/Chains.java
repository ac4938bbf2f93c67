package dev.cleanroom.dp.opendp;

import java.util.function.BiFunction;

/** Pipelines the tests share, built the way OpenDP's Python {@code >>} operator builds them. */
final class Chains {
  private Chains() {}

  /** {@code clamp(lower, upper) >> sum} on vectors of f64 without NaN, neighbours by symmetric distance. */
  static Transformation clampedSum(double lower, double upper) {
    try (Domain atom = Domains.atomDomain("f64", false);
        Domain vector = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance();
        Transformation clamp = Transformations.makeClamp(vector, symmetric, lower, upper);
        Domain clamped = clamp.outputDomain();
        Metric clampedMetric = clamp.outputMetric();
        Transformation sum = Transformations.makeSum(clamped, clampedMetric)) {
      return Combinators.makeChainTt(sum, clamp);
    }
  }

  /**
   * {@code transformation >> then_noise(...)}: the measurement built on the transformation's output
   * domain and metric, run after it.
   */
  static Measurement then(Transformation transformation, BiFunction<Domain, Metric, Measurement> measurement) {
    try (Domain domain = transformation.outputDomain();
        Metric metric = transformation.outputMetric();
        Measurement next = measurement.apply(domain, metric)) {
      return Combinators.makeChainMt(next, transformation);
    }
  }
}
