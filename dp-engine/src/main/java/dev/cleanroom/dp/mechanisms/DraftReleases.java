package dev.cleanroom.dp.mechanisms;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.opendp.Combinators;
import dev.cleanroom.dp.opendp.Data;
import dev.cleanroom.dp.opendp.Domain;
import dev.cleanroom.dp.opendp.Domains;
import dev.cleanroom.dp.opendp.Measurement;
import dev.cleanroom.dp.opendp.Measures;
import dev.cleanroom.dp.opendp.Metric;
import dev.cleanroom.dp.opendp.Metrics;
import dev.cleanroom.dp.opendp.Transformation;
import dev.cleanroom.dp.opendp.Transformations;
import dev.cleanroom.dp.opendp.Measurements;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The DP releases a drafted policy is made of ({@code dcr provision --infer}): a noisy count, a private
 * quantile for a bound, and the categories of a column by OpenDP's key release (count by value, Laplace noise,
 * a threshold). Each release's (ε, δ) is OpenDP's privacy map of the measurement that made it, at one row
 * added or removed.
 *
 * <p>Invariant: nothing leaves here but the noisy result of one OpenDP measurement and its cost.
 */
public final class DraftReleases {
  /**
   * The candidate bounds: 0 and ±{1, 2, 5}·10^k from 10⁻² to 10⁹, a public grid, so that no candidate is a
   * value from the data.
   */
  static final double[] CANDIDATES = candidates();

  private DraftReleases() {}

  /** A released value and what releasing it cost. */
  public record Released<T>(T value, PrivacyCost cost) {}

  /** The number of {@code rows} with Laplace noise (discrete, on the integer count) costing {@code epsilon}. */
  public static Released<Long> count(int rows, double epsilon) {
    try (Handles handles = new Handles()) {
      Domain atom = handles.add(Domains.atomDomain("f64", false));
      Domain vector = handles.add(Domains.vectorDomain(atom));
      Metric symmetric = handles.add(Metrics.symmetricDistance());
      Transformation count = handles.add(Transformations.makeCount(vector, symmetric, "i64"));
      Noise laplace = new Noise.Laplace();
      double scale = Noise.calibrate(s -> {
        try (Handles trial = new Handles()) {
          return laplace.cost(trial.add(laplace.after(count, s, trial)));
        }
      }, epsilon);
      Measurement noisy = handles.add(laplace.after(count, scale, handles));
      try (Data input = Data.vecF64(new double[rows]); Data output = noisy.invoke(input)) {
        return new Released<>(output.asI64(), laplace.cost(noisy));
      }
    }
  }

  /**
   * A private {@code alpha}-quantile of {@code values} among {@link #CANDIDATES} (the exponential mechanism),
   * costing {@code epsilon}.
   */
  public static Released<Double> quantile(double[] values, double alpha, double epsilon) {
    try (Handles handles = new Handles()) {
      Domain atom = handles.add(Domains.atomDomain("f64", false));
      Domain vector = handles.add(Domains.vectorDomain(atom));
      Metric symmetric = handles.add(Metrics.symmetricDistance());
      var pure = handles.add(Measures.maxDivergence());
      Noise laplaceCost = new Noise.Laplace(); // the map gives a pure ε, read as for Laplace
      double scale = Noise.calibrate(s -> {
        try (Measurement m = Measurements.makePrivateQuantile(vector, symmetric, pure, CANDIDATES, alpha, s)) {
          return laplaceCost.cost(m);
        }
      }, epsilon);
      Measurement quantile = handles.add(Measurements.makePrivateQuantile(vector, symmetric, pure, CANDIDATES, alpha,
          scale));
      try (Data input = Data.vecF64(values); Data output = quantile.invoke(input)) {
        return new Released<>(output.asF64(), laplaceCost.cost(quantile));
      }
    }
  }

  /**
   * The distinct {@code values} whose count, with Laplace noise costing {@code epsilon}, reaches the smallest
   * threshold whose δ (the chance that a value one person brings is released) is at most {@code delta}; in
   * the order of their noisy counts, largest first. Values with a NUL character are never released (OpenDP's
   * strings cannot hold one).
   */
  public static Released<List<String>> categories(List<String> values, double epsilon, double delta) {
    try (Handles handles = new Handles()) {
      Domain atom = handles.add(Domains.atomDomain("String"));
      Domain vector = handles.add(Domains.vectorDomain(atom));
      Metric symmetric = handles.add(Metrics.symmetricDistance());
      Transformation countBy = handles.add(Transformations.makeCountBy(vector, symmetric, "i32"));
      Domain counts = handles.add(countBy.outputDomain());
      Metric countsMetric = handles.add(countBy.outputMetric());
      // ε depends on the scale alone; the threshold then buys the δ.
      int anyThreshold = Integer.MAX_VALUE / 2;
      double scale = Noise.calibrate(s -> cost(Measurements.makeLaplaceThreshold(counts, countsMetric, s, anyThreshold),
          countBy), epsilon);
      int threshold = smallestThreshold(counts, countsMetric, countBy, scale, delta);
      Measurement release = handles.add(Combinators.makeChainMt(
          handles.add(Measurements.makeLaplaceThreshold(counts, countsMetric, scale, threshold)), countBy));
      List<String> input = values.stream().filter(v -> v.indexOf('\0') < 0).toList();
      try (Data rows = Data.vecString(input); Data output = release.invoke(rows)) {
        Map<String, Integer> released = new TreeMap<>(output.asStringI32Map());
        List<String> ordered = new ArrayList<>(released.keySet());
        ordered.sort((a, b) -> Integer.compare(released.get(b), released.get(a)));
        return new Released<>(List.copyOf(ordered), approximateCost(release));
      }
    }
  }

  private static int smallestThreshold(Domain counts, Metric metric, Transformation countBy, double scale,
      double delta) {
    int high = 1;
    while (cost(Measurements.makeLaplaceThreshold(counts, metric, scale, high), countBy).delta() > delta) {
      if (high > Integer.MAX_VALUE / 4) {
        throw new IllegalStateException("no threshold reaches δ " + delta);
      }
      high *= 2;
    }
    int low = 0;
    while (high - low > 1) {
      int middle = low + (high - low) / 2;
      if (cost(Measurements.makeLaplaceThreshold(counts, metric, scale, middle), countBy).delta() <= delta) {
        high = middle;
      } else {
        low = middle;
      }
    }
    return high;
  }

  /** The (ε, δ) of a threshold measurement after {@code countBy}, closing the measurement. */
  private static PrivacyCost cost(Measurement threshold, Transformation countBy) {
    try (threshold; Measurement chained = Combinators.makeChainMt(threshold, countBy)) {
      return approximateCost(chained);
    }
  }

  private static PrivacyCost approximateCost(Measurement measurement) {
    try (Data one = Data.u32(1); Data cost = measurement.map(one)) {
      double[] epsilonDelta = cost.asF64Tuple();
      return new PrivacyCost(epsilonDelta[0], epsilonDelta[1]);
    }
  }

  private static double[] candidates() {
    List<Double> grid = new ArrayList<>(List.of(0.0));
    for (int exponent = -2; exponent <= 9; exponent++) {
      for (double step : new double[] {1, 2, 5}) {
        double value = step * Math.pow(10, exponent);
        grid.add(value);
        grid.add(-value);
      }
    }
    return grid.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }
}
