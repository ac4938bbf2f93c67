package dev.cleanroom.dp.opendp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MeasurementsTest {
  @Test
  void makeLaplace_onF64_mapsEpsilonToSensitivityOverScale() {
    try (Domain atom = Domains.atomDomain("f64", false);
        Metric absolute = Metrics.absoluteDistance("f64");
        Measurement laplace = Measurements.makeLaplace(atom, absolute, 2.0, Measures.MAX_DIVERGENCE);
        Data distance = Data.f64(1);
        Data epsilon = laplace.map(distance)) {
      assertEquals(0.5, epsilon.asF64(), 1e-9);
      assertTrue(epsilon.asF64() >= 0.5, "the privacy map may round up, never down");
    }
  }

  @Test
  void makeLaplace_drawsFreshNoiseOnEveryInvoke() {
    try (Domain atom = Domains.atomDomain("f64", false);
        Metric absolute = Metrics.absoluteDistance("f64");
        Measurement laplace = Measurements.makeLaplace(atom, absolute, 1.0, Measures.MAX_DIVERGENCE);
        Data zero = Data.f64(0);
        Data first = laplace.invoke(zero);
        Data second = laplace.invoke(zero)) {
      assertNotEquals(first.asF64(), second.asF64());
    }
  }

  @Test
  void makeLaplace_onIntegers_isDiscrete() {
    try (Domain atom = Domains.atomDomain("i64");
        Metric absolute = Metrics.absoluteDistance("i64");
        Measurement laplace = Measurements.makeLaplace(atom, absolute, 1.0, Measures.MAX_DIVERGENCE);
        Data ten = Data.i64(10);
        Data noisy = laplace.invoke(ten)) {
      assertEquals("i64", noisy.type());
    }
  }

  @Test
  void makeLaplace_withNegativeScale_isRefusedByOpenDp() {
    try (Domain atom = Domains.atomDomain("f64", false); Metric absolute = Metrics.absoluteDistance("f64")) {
      OpenDpException e = assertThrows(OpenDpException.class,
          () -> Measurements.makeLaplace(atom, absolute, -1.0, Measures.MAX_DIVERGENCE));
      assertEquals("MakeMeasurement", e.variant());
    }
  }

  @Test
  void makeGaussian_mapsRhoAsHalfOfSensitivityOverScaleSquared() {
    try (Domain atom = Domains.atomDomain("f64", false);
        Metric absolute = Metrics.absoluteDistance("f64");
        Measurement gaussian =
            Measurements.makeGaussian(atom, absolute, 2.0, Measures.ZERO_CONCENTRATED_DIVERGENCE);
        Data distance = Data.f64(1);
        Data rho = gaussian.map(distance)) {
      assertEquals(1.0 / (2 * 4), rho.asF64(), 1e-9);
    }
  }

  @Test
  void makeGeometric_addsIntegerNoise() {
    try (Domain atom = Domains.atomDomain("i64");
        Metric absolute = Metrics.absoluteDistance("i64");
        Measurement geometric = Measurements.makeGeometric(atom, absolute, 1.0, Measures.MAX_DIVERGENCE);
        Data one = Data.i64(1);
        Data epsilon = geometric.map(one);
        Data input = Data.i64(100);
        Data output = geometric.invoke(input)) {
      assertEquals(1.0, epsilon.asF64(), 1e-9);
      assertEquals("i64", output.type());
    }
  }

  @Test
  void makePrivateQuantile_picksACandidate() {
    double[] candidates = {0, 25, 50, 75, 100};
    try (Domain atom = Domains.atomDomain("f64", false);
        Domain vector = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance();
        Measure pure = Measures.maxDivergence();
        Measurement median = Measurements.makePrivateQuantile(vector, symmetric, pure, candidates, 0.5, 0.1);
        Data input = Data.vecF64(new double[] {10, 40, 50, 60, 90});
        Data output = median.invoke(input)) {
      double value = output.asF64();
      assertTrue(value == 0 || value == 25 || value == 50 || value == 75 || value == 100, "got " + value);
    }
  }

  /** {@code make_noisy_max} in zCDP over score vectors of f64 that may move either way. */
  static Measurement noisyMax(double scale, boolean negate) {
    try (Domain atom = Domains.atomDomain("f64", false);
        Domain vector = Domains.vectorDomain(atom);
        Metric linf = Metrics.linfDistance("f64", false);
        Measure zcdp = Measures.zeroConcentratedDivergence()) {
      return Measurements.makeNoisyMax(vector, linf, zcdp, scale, negate);
    }
  }

  @Test
  void makeNoisyMax_underZCDP_mapsRhoAsTheExponentialMechanism() {
    try (Measurement noisyMax = noisyMax(4.0, false); Data one = Data.f64(1); Data rho = noisyMax.map(one)) {
      // Not monotonic: one record may raise one score and lower another, a range of 2; ρ = (2/4)²/8.
      assertEquals(0.25 / 8, rho.asF64(), 1e-12);
      assertTrue(rho.asF64() >= 0.25 / 8, "the privacy map may round up, never down");
    }
  }

  @Test
  void makeNoisyMax_withAGapFarAboveTheScale_picksTheLargestOrWithNegateTheSmallest() {
    try (Measurement largest = noisyMax(1.0, false);
        Measurement smallest = noisyMax(1.0, true);
        Data scores = Data.vecF64(new double[] {3, 1000, -1000, 5});
        Data top = largest.invoke(scores);
        Data bottom = smallest.invoke(scores)) {
      assertEquals(1, top.asI64());
      assertEquals(2, bottom.asI64());
    }
  }

  @Test
  void makeNoisyMax_onADomainWithNaN_isRefusedByOpenDp() {
    try (Domain atom = Domains.atomDomain("f64", true);
        Domain vector = Domains.vectorDomain(atom);
        Metric linf = Metrics.linfDistance("f64", false);
        Measure zcdp = Measures.zeroConcentratedDivergence()) {
      OpenDpException e = assertThrows(OpenDpException.class,
          () -> Measurements.makeNoisyMax(vector, linf, zcdp, 1.0, false));
      assertEquals("MakeMeasurement", e.variant());
    }
  }

  /** DP review, 4: the threshold went to OpenDP as an i32 whatever the counts' type, so an i64 one read past it. */
  @Test
  void makeLaplaceThreshold_onCountsOtherThanI32_isRefused() {
    try (Domain atom = Domains.atomDomain("String");
        Domain vector = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance();
        Transformation countBy = Transformations.makeCountBy(vector, symmetric, "i64");
        Domain counts = countBy.outputDomain();
        Metric countsMetric = countBy.outputMetric()) {
      OpenDpException e = assertThrows(OpenDpException.class,
          () -> Measurements.makeLaplaceThreshold(counts, countsMetric, 1.0, 10));
      assertEquals("FFI", e.variant());
    }
  }
}
