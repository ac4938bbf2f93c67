package dev.cleanroom.dp.opendp;

/** OpenDP's measurement constructors ({@code opendp.measurements}), with OpenDP's names. */
public final class Measurements {
  private Measurements() {}

  /**
   * {@code make_laplace}: adds Laplace noise of {@code scale} (discrete Laplace for integers). Use
   * {@link Measures#MAX_DIVERGENCE} for pure ε-DP.
   */
  public static Measurement makeLaplace(Domain domain, Metric metric, double scale, String outputMeasure) {
    try {
      return new Measurement(Native.makeLaplace(domain.pointer(), metric.pointer(), scale, outputMeasure));
    } finally {
      Transformations.keepAlive(domain, metric);
    }
  }

  /** {@code make_gaussian}: adds Gaussian noise of standard deviation {@code scale}; ρ-zCDP. */
  public static Measurement makeGaussian(Domain domain, Metric metric, double scale, String outputMeasure) {
    try {
      return new Measurement(Native.makeGaussian(domain.pointer(), metric.pointer(), scale, outputMeasure));
    } finally {
      Transformations.keepAlive(domain, metric);
    }
  }

  /** {@code make_geometric}: two-sided geometric noise for integers, without bounds (bounds = None). */
  public static Measurement makeGeometric(Domain domain, Metric metric, double scale, String outputMeasure) {
    try {
      return new Measurement(Native.makeGeometric(domain.pointer(), metric.pointer(), scale, 0, outputMeasure));
    } finally {
      Transformations.keepAlive(domain, metric);
    }
  }

  /**
   * {@code make_laplace_threshold}: Laplace noise of {@code scale} on each count of a
   * {@link Transformations#makeCountBy} map, releasing only the keys whose noisy count reaches
   * {@code threshold} (key release: which keys exist is private too). Its measure is
   * {@code Approximate<MaxDivergence>}; the δ is the chance that a key one person adds passes.
   */
  public static Measurement makeLaplaceThreshold(Domain domain, Metric metric, double scale, int threshold) {
    try {
      return new Measurement(Native.makeLaplaceThreshold(domain.pointer(), metric.pointer(), scale, threshold,
          "Approximate<MaxDivergence>"));
    } finally {
      Transformations.keepAlive(domain, metric);
    }
  }

  /**
   * {@code make_private_quantile}: the exponential mechanism over {@code candidates} (sorted), scoring
   * each by how far it is from the {@code alpha}-quantile.
   */
  public static Measurement makePrivateQuantile(
      Domain domain, Metric metric, Measure outputMeasure, double[] candidates, double alpha, double scale) {
    try (Data candidateValues = Data.vecF64(candidates)) {
      return new Measurement(Native.makePrivateQuantile(
          domain.pointer(), metric.pointer(), outputMeasure.pointer(), candidateValues.pointer(), alpha, scale));
    } finally {
      Transformations.keepAlive(domain, metric, outputMeasure);
    }
  }

  /**
   * {@code make_noisy_max}: the index of the largest score after noise of {@code scale} (the smallest
   * with {@code negate}). Under {@code ZeroConcentratedDivergence} it is the exponential mechanism
   * (Gumbel noise); under {@code MaxDivergence}, permute-and-flip. Scores are measured in
   * {@link Metrics#linfDistance}.
   */
  public static Measurement makeNoisyMax(
      Domain domain, Metric metric, Measure outputMeasure, double scale, boolean negate) {
    try {
      return new Measurement(
          Native.makeNoisyMax(domain.pointer(), metric.pointer(), outputMeasure.pointer(), scale, negate));
    } finally {
      Transformations.keepAlive(domain, metric, outputMeasure);
    }
  }
}
