package dev.cleanroom.dp.opendp;

/** OpenDP's combinators ({@code opendp.combinators}): chaining and privacy-measure conversion. */
public final class Combinators {
  private Combinators() {}

  /** {@code make_chain_mt}: runs {@code transformation0} first, then {@code measurement1}. */
  public static Measurement makeChainMt(Measurement measurement1, Transformation transformation0) {
    try {
      return new Measurement(Native.makeChainMt(measurement1.pointer(), transformation0.pointer()));
    } finally {
      Transformations.keepAlive(measurement1, transformation0);
    }
  }

  /** {@code make_chain_tt}: runs {@code transformation0} first, then {@code transformation1}. */
  public static Transformation makeChainTt(Transformation transformation1, Transformation transformation0) {
    try {
      return new Transformation(Native.makeChainTt(transformation1.pointer(), transformation0.pointer()));
    } finally {
      Transformations.keepAlive(transformation1, transformation0);
    }
  }

  /** {@code make_zCDP_to_approxDP}: the same mechanism, its privacy loss read as a privacy profile. */
  public static Measurement makeZCDPToApproxDP(Measurement measurement) {
    return new Measurement(measurement.apply(Native::makeZCDPToApproxDP));
  }

  /** {@code make_fix_delta}: fixes δ on a privacy profile, so that the map returns the pair (ε, δ). */
  public static Measurement makeFixDelta(Measurement measurement, double delta) {
    return new Measurement(measurement.apply(m -> Native.makeFixDelta(m, delta)));
  }

  /**
   * {@code make_adaptive_composition}: a compositor over datasets {@code distanceIn} apart that admits
   * one query per entry of {@code distancesMid}, each costing at most that entry; its privacy map is
   * OpenDP's composition of them.
   */
  public static Measurement makeAdaptiveComposition(
      Domain domain, Metric metric, Measure outputMeasure, Data distanceIn, double[] distancesMid) {
    try (Data mids = Data.vecF64(distancesMid)) {
      return new Measurement(Native.makeAdaptiveComposition(
          domain.pointer(), metric.pointer(), outputMeasure.pointer(), distanceIn.pointer(), mids.pointer()));
    } finally {
      Transformations.keepAlive(domain, metric, outputMeasure, distanceIn);
    }
  }
}
