package dev.cleanroom.dp.opendp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CombinatorsTest {
  /** laplace(sum(clamp(Vec<f64>, 0..100))) at the given scale: the fact sheet's reference pipeline. */
  static Measurement laplaceSum(double scale) {
    try (Transformation clampedSum = Chains.clampedSum(0.0, 100.0)) {
      return Chains.then(clampedSum, (domain, metric) ->
          Measurements.makeLaplace(domain, metric, scale, Measures.MAX_DIVERGENCE));
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

  /** An adaptive compositor over vectors of strings one record apart, admitting steps of {@code rhos}. */
  static Measurement compositor(double... rhos) {
    try (Domain atom = Domains.atomDomain("String");
        Domain vector = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance();
        Measure zcdp = Measures.zeroConcentratedDivergence();
        Data one = Data.u32(1)) {
      return Combinators.makeAdaptiveComposition(vector, symmetric, zcdp, one, rhos);
    }
  }

  @Test
  void makeAdaptiveComposition_mapsToTheSumOfItsBudgetsAndConvertsToEpsilonDelta() {
    try (Measurement compositor = compositor(0.125, 0.25, 0.125);
        Data one = Data.u32(1);
        Data rho = compositor.map(one);
        Measurement profile = Combinators.makeZCDPToApproxDP(compositor);
        Measurement fixed = Combinators.makeFixDelta(profile, 1e-6);
        Data pair = fixed.map(one)) {
      assertEquals(0.5, rho.asF64(), 1e-12);
      // The same ρ = 0.5 as the Gaussian above, so the same (ε, δ) within the classic bound.
      double[] epsilonDelta = pair.asF64Tuple();
      assertEquals(1e-6, epsilonDelta[1], 1e-15);
      assertTrue(epsilonDelta[0] > 0.5 && epsilonDelta[0] < 5.76, "ε = " + epsilonDelta[0]);
    }
  }

  @Test
  void makeAdaptiveComposition_mappedBeyondItsInputDistance_isRefusedByOpenDp() {
    try (Measurement compositor = compositor(0.1); Data two = Data.u32(2)) {
      OpenDpException e = assertThrows(OpenDpException.class, () -> compositor.map(two));
      assertEquals("RelationDebug", e.variant(), e.getMessage());
    }
  }
}
