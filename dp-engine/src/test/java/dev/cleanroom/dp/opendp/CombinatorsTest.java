package dev.cleanroom.dp.opendp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CombinatorsTest {
  /** laplace(sum(clamp(Vec<f64>, 0..100))) at the given scale: the fact sheet's reference pipeline. */
  static Measurement laplaceSum(double scale) {
    try (Domain atom = Domains.atomDomain("f64", false);
        Domain vector = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance();
        Transformation clamp = Transformations.makeClamp(vector, symmetric, 0.0, 100.0);
        Domain clamped = clamp.outputDomain();
        Metric clampedMetric = clamp.outputMetric();
        Transformation sum = Transformations.makeSum(clamped, clampedMetric);
        Transformation clampSum = Combinators.makeChainTt(sum, clamp);
        Domain sumDomain = clampSum.outputDomain();
        Metric sumMetric = clampSum.outputMetric();
        Measurement laplace = Measurements.makeLaplace(sumDomain, sumMetric, scale, Measures.MAX_DIVERGENCE)) {
      return Combinators.makeChainMt(laplace, clampSum);
    }
  }

  @Test
  void makeChainMt_outlivesThePartsItWasBuiltFrom() {
    try (Measurement measurement = laplaceSum(10);
        Data input = Data.vecF64(new double[] {12, 55.5, 130, -4});
        Data output = measurement.invoke(input);
        Data one = Data.u32(1);
        Data epsilon = measurement.map(one)) {
      assertEquals(167.5, output.asF64(), 200);
      assertEquals(10.0, epsilon.asF64(), 1e-6);
      assertEquals("u32", measurement.inputDistanceType());
    }
  }

  @Test
  void makeChainMt_withMismatchedDomains_reportsOpenDpsError() {
    try (Domain atom = Domains.atomDomain("i64");
        Metric absolute = Metrics.absoluteDistance("i64");
        Measurement integerNoise = Measurements.makeLaplace(atom, absolute, 1.0, Measures.MAX_DIVERGENCE);
        Domain floatAtom = Domains.atomDomain("f64", false);
        Domain vector = Domains.vectorDomain(floatAtom);
        Metric symmetric = Metrics.symmetricDistance();
        Transformation clamp = Transformations.makeClamp(vector, symmetric, 0.0, 1.0)) {
      OpenDpException e =
          assertThrows(OpenDpException.class, () -> Combinators.makeChainMt(integerNoise, clamp));
      assertEquals("DomainMismatch", e.variant());
    }
  }

  @Test
  void makeZCDPToApproxDPAndFixDelta_giveAnEpsilonDeltaPair() {
    try (Domain atom = Domains.atomDomain("f64", false);
        Metric absolute = Metrics.absoluteDistance("f64");
        Measurement gaussian =
            Measurements.makeGaussian(atom, absolute, 1.0, Measures.ZERO_CONCENTRATED_DIVERGENCE);
        Measurement profile = Combinators.makeZCDPToApproxDP(gaussian);
        Measurement fixed = Combinators.makeFixDelta(profile, 1e-6);
        Data distance = Data.f64(1);
        Data pair = fixed.map(distance)) {
      double[] epsilonDelta = pair.asF64Tuple();
      assertEquals(1e-6, epsilonDelta[1], 1e-15);
      // ρ = 0.5; the classic bound ρ + 2√(ρ ln(1/δ)) = 5.76 is looser than OpenDP's conversion.
      assertTrue(epsilonDelta[0] > 0.5 && epsilonDelta[0] < 5.76, "ε = " + epsilonDelta[0]);
    }
  }
}
