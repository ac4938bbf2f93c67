package dev.cleanroom.dp.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.accounting.PrivacyCost;
import org.junit.jupiter.api.Test;

class ConcentratedAccountingTest {
  private static final PrivacyCost BUDGET = new PrivacyCost(1, 1e-6);

  @Test
  void rhoWithin_isTheLargestRhoThatOpenDpConvertsWithinTheBudget() {
    double rho = ConcentratedAccounting.rhoWithin(BUDGET);
    assertTrue(ConcentratedAccounting.approximateDp(new double[] {rho}, 1e-6).fitsWithin(BUDGET));
    double above = rho * (1 + 1e-6);
    assertTrue(ConcentratedAccounting.approximateDp(new double[] {above}, 1e-6).epsilon() > BUDGET.epsilon());
  }

  @Test
  void rhoWithin_isLooserThanTheClassicBound_whichIsSoundButWasteful() {
    // ε = ρ + 2 √(ρ ln(1/δ)) solved for ρ at ε 1, δ 1e-6.
    double root = -Math.sqrt(Math.log(1e6)) + Math.sqrt(Math.log(1e6) + 1);
    double classic = root * root;
    assertTrue(ConcentratedAccounting.rhoWithin(BUDGET) > classic);
  }

  @Test
  void approximateDp_composesStepsByAddingTheirRho() {
    assertEquals(0.03, ConcentratedAccounting.totalRho(new double[] {0.01, 0.015, 0.005}), 1e-15);
    assertEquals(ConcentratedAccounting.approximateDp(new double[] {0.03}, 1e-6),
        ConcentratedAccounting.approximateDp(new double[] {0.01, 0.02}, 1e-6));
  }

  @Test
  void scaleWithin_widensTheTextbookScaleUntilOpenDpsMapFits() {
    double rho = 0.004;
    double scale = NoisyCounts.scaleFor(rho);
    assertTrue(NoisyCounts.rho(scale) <= rho);
    assertEquals(1 / Math.sqrt(2 * rho), scale, 1e-9);
    // Far off the textbook scale, the widening doubles until it fits: never narrower, at most twice as wide.
    double widened = ConcentratedAccounting.scaleWithin(0.25, 1.0, s -> s < 2 ? 1 : 0.25);
    assertTrue(widened >= 2 && widened < 3, "widened to " + widened);
  }
}
