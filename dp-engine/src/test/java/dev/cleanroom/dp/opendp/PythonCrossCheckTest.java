package dev.cleanroom.dp.opendp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.AssertionFailedError;

/**
 * Our binding against OpenDP's own Python package (the same library at the same pinned version): for
 * the same mechanism, bounds and scale, the privacy map gives the same loss, and the noise follows the
 * same distribution. Each mechanism here is built step for step as opendp_reference.py builds it.
 */
@Timeout(180)
class PythonCrossCheckTest {
  /**
   * Significance of each two-sample Kolmogorov–Smirnov comparison, which rejects when
   * D > c(α)·√((n+m)/(n·m)) with c(α) = √(−ln(α/2)/2): the false-alarm rate, the chance that a correct
   * binding fails the comparison, is below 1e-6 per comparison. For the discrete Laplace (tied values)
   * KS is conservative, so its false-alarm rate is still at most 1e-6.
   */
  private static final double ALPHA = 1e-6;

  /** Draws per side: enough that a noise scale 20% off is rejected (see the power test). */
  private static final int SAMPLES = 50_000;

  /**
   * Same library, same arithmetic: the maps should agree to the bit; 1e-12 relative leaves room only
   * for a last-digit difference between two builds of the same Rust code.
   */
  private static final double RELATIVE_TOLERANCE = 1e-12;

  private static final double LOWER = 0;
  private static final double UPPER = 100;
  private static final double[] DATASET = {12, 55.5, 130, -4, 77};
  private static final double CLAMPED_SUM = 12 + 55.5 + 100 + 0 + 77;
  private static final List<String> CATEGORIES =
      List.of("north", "south", "east", "west", "centre", "isle", "coast", "hills", "lakes", "city");

  // ---- privacy maps ----

  @ParameterizedTest
  @ValueSource(doubles = {0.5, 1, 10, 37.5, 1000})
  void laplaceOnAClampedSum_hasPythonsEpsilon(double scale) {
    try (Measurement ours = laplaceSum(scale)) {
      assertSameLoss(ours, "laplace_sum", bounds() + " scale=" + scale, 1, 3);
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.5, 1, 3, 10})
  void discreteLaplaceOnACount_hasPythonsEpsilon(double scale) {
    try (Measurement ours = laplaceCount(scale)) {
      assertSameLoss(ours, "laplace_count", "scale=" + scale, 1, 3);
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {1, 10, 50, 1000})
  void gaussianOnAClampedSum_hasPythonsRho(double scale) {
    try (Measurement ours = gaussianSum(scale)) {
      assertSameLoss(ours, "gaussian_sum", bounds() + " scale=" + scale, 1, 3);
    }
  }

  @ParameterizedTest
  @CsvSource({"10, 1e-7", "50, 1e-9", "500, 1e-5"})
  void gaussianAsApproximateDp_hasPythonsEpsilonAndDelta(double scale, double delta) {
    try (Measurement zcdp = gaussianSum(scale);
        Measurement profile = Combinators.makeZCDPToApproxDP(zcdp);
        Measurement ours = Combinators.makeFixDelta(profile, delta)) {
      assertSameLoss(ours, "gaussian_sum_approx", bounds() + " scale=" + scale + " delta=" + delta, 1, 3);
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.5, 2, 20})
  void laplaceOnCountsByCategory_hasPythonsEpsilon(double scale) {
    try (Measurement ours = histogramLaplace(scale)) {
      String categories = String.join(",", CATEGORIES);
      assertSameLoss(ours, "histogram_laplace", "scale=" + scale + " categories=" + categories, 1, 3);
    }
  }

  @ParameterizedTest
  @CsvSource({"0.5, 1.0, ", "0.25, 0.3, ", "0.5, 1.0, 5", "0.9, 10, 5"})
  void privateQuantile_hasPythonsEpsilon(double alpha, double scale, Integer size) {
    double[] candidates = {0, 10, 25, 50, 75, 90, 100};
    try (Measurement ours = privateQuantile(candidates, alpha, scale, size)) {
      String parameters = "candidates=" + joined(candidates) + " alpha=" + alpha + " scale=" + scale
          + (size == null ? "" : " size=" + size);
      assertSameLoss(ours, "private_quantile", parameters, 1, 2);
    }
  }

  // ---- noise: ours per invocation of the chained mechanism, Python's in one vectorized draw ----

  @Test
  void laplaceNoiseOnAClampedSum_isDistributedAsPythons() {
    try (Measurement ours = laplaceSum(10)) {
      assertSameDistribution(ourNoise(ours, Data::asF64, CLAMPED_SUM), pythonNoise("laplace_f64", CLAMPED_SUM, 10));
    }
  }

  @Test
  void discreteLaplaceNoiseOnACount_isDistributedAsPythons() {
    try (Measurement ours = laplaceCount(3)) {
      int count = DATASET.length;
      assertSameDistribution(ourNoise(ours, Data::asI64, count), pythonNoise("laplace_i64", count, 3));
    }
  }

  @Test
  void gaussianNoiseOnAClampedSum_isDistributedAsPythons() {
    try (Measurement ours = gaussianSum(10)) {
      assertSameDistribution(ourNoise(ours, Data::asF64, CLAMPED_SUM), pythonNoise("gaussian_f64", CLAMPED_SUM, 10));
    }
  }

  /** Without this the distribution checks above could pass for any noise at all. */
  @Test
  void noiseCheck_rejectsLaplaceWhoseScaleIsTwentyPercentOff() {
    double scale = 10;
    try (Measurement ours = laplaceSum(scale)) {
      double[] wider = pythonNoise("laplace_f64", CLAMPED_SUM, 1.2 * scale);
      double[] noise = ourNoise(ours, Data::asF64, CLAMPED_SUM);
      double d = KolmogorovSmirnov.statistic(noise, wider);
      double critical = KolmogorovSmirnov.criticalValue(ALPHA, noise.length, wider.length);
      assertTrue(d > critical, String.format("KS D = %.5f should exceed %.5f for scales %s and %s",
          d, critical, scale, 1.2 * scale));
    }
  }

  @Test
  void kolmogorovSmirnov_stepsOverTiedValuesTogether() {
    // Empirical CDFs after each distinct value: 1 → (2/4, 1/4), 2 → (3/4, 3/4), 3 → (1, 1).
    assertEquals(0.25, KolmogorovSmirnov.statistic(new double[] {1, 1, 2, 3}, new double[] {3, 2, 1, 2}));
    assertEquals(1.0, KolmogorovSmirnov.statistic(new double[] {1, 2}, new double[] {3, 4, 5}));
    assertEquals(0.0, KolmogorovSmirnov.statistic(new double[] {5, 5}, new double[] {5}));
  }

  @Test
  void interpreter_whenDcrPythonWasNeverSet_failsWithTheInstallHint() {
    for (String unset : Arrays.asList(null, "", "  ", "${dcr.python}")) {
      AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> PythonReference.interpreter(unset));
      assertEquals(PythonReference.INSTALL_HINT, e.getMessage());
    }
  }

  // ---- our mechanisms, built as opendp_reference.py builds its namesakes ----

  private static Measurement laplaceSum(double scale) {
    try (Transformation clampedSum = Chains.clampedSum(LOWER, UPPER)) {
      return Chains.then(clampedSum, (d, m) -> Measurements.makeLaplace(d, m, scale, Measures.MAX_DIVERGENCE));
    }
  }

  private static Measurement laplaceCount(double scale) {
    try (Domain atom = Domains.atomDomain("f64", false);
        Domain vector = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance();
        Transformation count = Transformations.makeCount(vector, symmetric, "i64")) {
      return Chains.then(count, (d, m) -> Measurements.makeLaplace(d, m, scale, Measures.MAX_DIVERGENCE));
    }
  }

  private static Measurement gaussianSum(double scale) {
    try (Transformation clampedSum = Chains.clampedSum(LOWER, UPPER)) {
      return Chains.then(clampedSum,
          (d, m) -> Measurements.makeGaussian(d, m, scale, Measures.ZERO_CONCENTRATED_DIVERGENCE));
    }
  }

  private static Measurement histogramLaplace(double scale) {
    try (Domain atom = Domains.atomDomain("String");
        Domain vector = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance();
        Transformation counts = Transformations.makeCountByCategories(
            vector, symmetric, CATEGORIES, true, "L1Distance<i64>", "i64")) {
      return Chains.then(counts, (d, m) -> Measurements.makeLaplace(d, m, scale, Measures.MAX_DIVERGENCE));
    }
  }

  private static Measurement privateQuantile(double[] candidates, double alpha, double scale, Integer size) {
    try (Domain atom = Domains.atomDomain("f64", false);
        Domain vector = size == null ? Domains.vectorDomain(atom) : Domains.vectorDomain(atom, size);
        Metric symmetric = Metrics.symmetricDistance();
        Measure pure = Measures.maxDivergence()) {
      return Measurements.makePrivateQuantile(vector, symmetric, pure, candidates, alpha, scale);
    }
  }

  // ---- comparing ----

  /** Our map and Python's at each dataset distance: one number (ε or ρ) or the pair (ε, δ). */
  private static void assertSameLoss(Measurement ours, String mechanism, String parameters, int... distances) {
    String[] requests = IntStream.of(distances)
        .mapToObj(d -> "map " + mechanism + " d_in=" + d + " " + parameters)
        .toArray(String[]::new);
    List<double[]> theirs = PythonReference.fromSystemProperty().ask(requests);
    for (int k = 0; k < distances.length; k++) {
      double[] expected = theirs.get(k);
      double[] actual = lossAt(ours, distances[k]);
      assertEquals(expected.length, actual.length, requests[k]);
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], actual[i], RELATIVE_TOLERANCE * Math.abs(expected[i]),
            requests[k] + ": ours " + Arrays.toString(actual) + ", Python's " + Arrays.toString(expected));
      }
    }
  }

  private static double[] lossAt(Measurement measurement, int distance) {
    try (Data distanceIn = Data.u32(distance); Data loss = measurement.map(distanceIn)) {
      return loss.type().startsWith("(") ? loss.asF64Tuple() : new double[] {loss.asF64()};
    }
  }

  /** Invokes our mechanism {@link #SAMPLES} times on {@link #DATASET}: the releases minus the true value. */
  private static double[] ourNoise(Measurement measurement, ToDoubleFunction<Data> read, double truth) {
    try (Data input = Data.vecF64(DATASET)) {
      double[] noise = new double[SAMPLES];
      for (int i = 0; i < SAMPLES; i++) {
        try (Data release = measurement.invoke(input)) {
          noise[i] = read.applyAsDouble(release) - truth;
        }
      }
      return noise;
    }
  }

  /** OpenDP's Python package's releases of {@code truth} under the named noise, minus the true value. */
  private static double[] pythonNoise(String noise, double truth, double scale) {
    String request = "sample " + noise + " n=" + SAMPLES + " value=" + truth + " scale=" + scale;
    double[] releases = PythonReference.fromSystemProperty().ask(request).get(0);
    return DoubleStream.of(releases).map(release -> release - truth).toArray();
  }

  private static void assertSameDistribution(double[] ours, double[] theirs) {
    double d = KolmogorovSmirnov.statistic(ours, theirs);
    double critical = KolmogorovSmirnov.criticalValue(ALPHA, ours.length, theirs.length);
    assertTrue(d <= critical, String.format(
        "our noise and Python's differ: KS D = %.5f > %.5f (α = %g); ours %s, Python's %s",
        d, critical, ALPHA, summary(ours), summary(theirs)));
  }

  private static String summary(double[] sample) {
    double mean = DoubleStream.of(sample).average().orElse(Double.NaN);
    double sd = Math.sqrt(DoubleStream.of(sample).map(x -> (x - mean) * (x - mean)).sum() / (sample.length - 1));
    return String.format("mean %.3f, sd %.3f", mean, sd);
  }

  private static String bounds() {
    return "lower=" + LOWER + " upper=" + UPPER;
  }

  private static String joined(double[] values) {
    return DoubleStream.of(values).mapToObj(Double::toString).collect(Collectors.joining(","));
  }
}
