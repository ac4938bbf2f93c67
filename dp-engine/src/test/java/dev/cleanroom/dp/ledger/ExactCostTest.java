package dev.cleanroom.dp.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cleanroom.dp.accounting.PrivacyCost;
import org.junit.jupiter.api.Test;

class ExactCostTest {
  /** The double 0.1 is 0.1000000000000000055...: its shortest decimal, 0.1, lies below what is spent. */
  @Test
  void ofCharge_doubleAboveItsShortestDecimal_roundsTheDoubleItselfUp() {
    assertEquals(new ExactCost(100_000_000_001L, 100_000_000_001L), ExactCost.ofCharge(new PrivacyCost(0.1, 0.1)));
  }

  @Test
  void ofCharge_doubleBelowItsShortestDecimal_isThatDecimal() {
    assertEquals(new ExactCost(100_000_000_000L, 0), ExactCost.ofCharge(PrivacyCost.pure(Math.nextDown(0.1))));
    assertEquals(new ExactCost(300_000_000_000L, 0), ExactCost.ofCharge(PrivacyCost.pure(0.3)));
  }

  @Test
  void ofBudget_isTheDecimalTheProviderWrote() {
    assertEquals(new ExactCost(100_000_000_000L, 0), ExactCost.ofBudget(PrivacyCost.pure(0.1)));
  }

  @Test
  void ofCharge_beyondTwelvePlaces_roundsUp() {
    assertEquals(new ExactCost(1, 1), ExactCost.ofCharge(new PrivacyCost(1e-13, 1e-15)));
  }

  @Test
  void ofBudget_beyondTwelvePlaces_roundsDown() {
    assertEquals(new ExactCost(999_999_999_999L, 0), ExactCost.ofBudget(new PrivacyCost(0.9999999999999, 1e-15)));
  }

  @Test
  void ofCharge_aboveLimit_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> ExactCost.ofCharge(PrivacyCost.pure(2e6)));
  }

  @Test
  void ofBudget_aboveLimit_isCappedAtLimit() {
    assertEquals(ExactCost.LIMIT, ExactCost.ofBudget(PrivacyCost.pure(1e300)).epsilon());
  }

  @Test
  void tenChargesOfPointOne_addUpToExactlyOne() {
    ExactCost sum = ExactCost.ZERO;
    for (int i = 0; i < 10; i++) {
      sum = sum.plus(ExactCost.ofCharge(PrivacyCost.pure(Math.nextDown(0.1))));
    }
    assertEquals(ExactCost.ofBudget(PrivacyCost.pure(1)), sum);
  }

  @Test
  void minus_spentAboveBudget_isZeroNotNegative() {
    assertEquals(ExactCost.ZERO, new ExactCost(5, 5).minus(new ExactCost(7, 9)));
  }

  @Test
  void describe_showsPlainDecimals() {
    assertEquals("ε 0.12, δ 0.000001", ExactCost.ofCharge(new PrivacyCost(0.12, 1e-6)).describe(true));
  }

  @Test
  void describe_wholeAndTinyNumbers_areReadable() {
    assertEquals("ε 1000000, δ 1E-9", ExactCost.ofBudget(new PrivacyCost(1e6, 1e-9)).describe(true));
  }
}
