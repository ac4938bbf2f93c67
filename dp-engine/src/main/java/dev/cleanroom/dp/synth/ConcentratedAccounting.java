package dev.cleanroom.dp.synth;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.opendp.Combinators;
import dev.cleanroom.dp.opendp.Data;
import dev.cleanroom.dp.opendp.Domain;
import dev.cleanroom.dp.opendp.Domains;
import dev.cleanroom.dp.opendp.Measure;
import dev.cleanroom.dp.opendp.Measurement;
import dev.cleanroom.dp.opendp.Measures;
import dev.cleanroom.dp.opendp.Metric;
import dev.cleanroom.dp.opendp.Metrics;
import java.util.function.BiFunction;
import java.util.function.DoubleUnaryOperator;

/**
 * The synthesizer's privacy accounting in ρ-zero-concentrated DP, with every number taken from OpenDP.
 *
 * <p>A synthesis is an adaptive composition: which pairs are measured depends on earlier noisy
 * answers, but what each step may cost (its ρ) is fixed in advance. OpenDP's adaptive compositor with
 * those per-step costs gives the total ρ, and OpenDP's zCDP-to-approximate-DP conversion with δ fixed
 * gives the (ε, δ) reported and charged. Each step's own ρ is its measurement's OpenDP privacy map at
 * one record added or removed, checked to be within the step's share before the step runs.
 */
final class ConcentratedAccounting {
  private ConcentratedAccounting() {}

  /**
   * The (ε, δ) of an adaptive composition of steps costing {@code rhos}, by OpenDP's compositor and its
   * conversion at {@code delta}.
   */
  static PrivacyCost approximateDp(double[] rhos, double delta) {
    return withCompositor(rhos, (compositor, oneRecord) -> {
      try (Measurement profile = Combinators.makeZCDPToApproxDP(compositor);
          Measurement fixed = Combinators.makeFixDelta(profile, delta);
          Data epsilonDelta = fixed.map(oneRecord)) {
        double[] pair = epsilonDelta.asF64Tuple();
        return new PrivacyCost(pair[0], pair[1]);
      }
    });
  }

  /** The total ρ OpenDP's compositor assigns to steps costing {@code rhos}. */
  static double totalRho(double[] rhos) {
    return withCompositor(rhos, (compositor, oneRecord) -> {
      try (Data rho = compositor.map(oneRecord)) {
        return rho.asF64();
      }
    });
  }

  /**
   * OpenDP's adaptive compositor of steps costing {@code rhos} on datasets one record apart. It is read
   * for its privacy map only: the steps run on different summaries of the rows (cell labels per
   * marginal, pair scores), which no single OpenDP input domain describes.
   */
  private static <T> T withCompositor(double[] rhos, BiFunction<Measurement, Data, T> read) {
    try (Domain atom = Domains.atomDomain("String");
        Domain rows = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance();
        Measure zcdp = Measures.zeroConcentratedDivergence();
        Data oneRecord = Data.u32(1);
        Measurement compositor = Combinators.makeAdaptiveComposition(rows, symmetric, zcdp, oneRecord, rhos)) {
      return read.apply(compositor, oneRecord);
    }
  }

  /**
   * The largest ρ (to 1e-9 relative) that OpenDP converts to at most {@code budget}'s ε at its δ. The
   * conversion grows with ρ and gives ε > ρ, so ρ lies in (0, ε) and bisection finds it.
   */
  static double rhoWithin(PrivacyCost budget) {
    double low = 0;
    double high = budget.epsilon();
    while (high - low > high * 1e-9) {
      double middle = low + (high - low) / 2;
      if (approximateDp(new double[] {middle}, budget.delta()).epsilon() <= budget.epsilon()) {
        low = middle;
      } else {
        high = middle;
      }
    }
    return low;
  }

  /**
   * The noise scale a step uses: the one at which its ρ is exactly {@code rho} by the textbook formula,
   * widened (never narrowed) until OpenDP's privacy map puts the step within {@code rho}. OpenDP rounds
   * its maps up, so this takes a step or two; the widening doubles each time, so it always ends.
   */
  static double scaleWithin(double rho, double textbookScale, DoubleUnaryOperator rhoAtScale) {
    for (int attempt = 0; attempt < 64; attempt++) {
      double scale = textbookScale * (1 + 1e-12 * Math.pow(2, attempt));
      if (rhoAtScale.applyAsDouble(scale) <= rho) {
        return scale;
      }
    }
    throw new IllegalStateException(
        "OpenDP's privacy map stays above ρ " + rho + " near scale " + textbookScale + "; the binding has changed");
  }
}
