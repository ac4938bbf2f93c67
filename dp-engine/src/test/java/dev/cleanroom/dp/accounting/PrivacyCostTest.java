package dev.cleanroom.dp.accounting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PrivacyCostTest {
  private static boolean atLeastTheExactSum(double sum, double a, double b) {
    return new BigDecimal(sum).compareTo(new BigDecimal(a).add(new BigDecimal(b))) >= 0;
  }

  /**
   * Attack (DP review, 3): a mean's two parts, and a draft's releases, were added as doubles rounded to nearest,
   * which can land an ulp below what the parts cost together: 0.1 + 0.7 is 0.7999999999999999, below the exact
   * 0.79999999999999996114.... A composed cost is never below its parts' exact sum.
   */
  @Test
  void aSumOfCosts_isNeverBelowItsPartsExactSum() {
    PrivacyCost sum = new PrivacyCost(0.1, 1e-7).plus(new PrivacyCost(0.7, 2e-7));
    assertTrue(atLeastTheExactSum(sum.epsilon(), 0.1, 0.7), "ε " + sum.epsilon());
    assertTrue(atLeastTheExactSum(sum.delta(), 1e-7, 2e-7), "δ " + sum.delta());

    SplittableRandom random = new SplittableRandom(15);
    for (int i = 0; i < 10_000; i++) {
      double a = random.nextDouble(0, 5);
      double b = random.nextDouble(0, 5);
      double composed = PrivacyCost.pure(a).plus(PrivacyCost.pure(b)).epsilon();
      assertTrue(atLeastTheExactSum(composed, a, b), a + " + " + b + " gave " + composed);
      assertTrue(composed <= Math.nextUp(a + b), "and at most one ulp above the nearest double");
    }
  }

  /** Sums a double holds exactly stay as they are: ten budgets' worth of 0.5 is 5. */
  @Test
  void anExactSum_isNotRaised() {
    assertEquals(PrivacyCost.pure(1.5), PrivacyCost.pure(1).plus(PrivacyCost.pure(0.5)));
  }
}
