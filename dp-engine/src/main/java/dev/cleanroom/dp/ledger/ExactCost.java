package dev.cleanroom.dp.ledger;

import dev.cleanroom.dp.accounting.PrivacyCost;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * An (ε, δ) amount in whole pico-units (10⁻¹² of ε or δ), the unit the ledger stores and compares.
 *
 * <p>Doubles cannot hold the ledger: ten charges of 0.1 add up to 0.9999999999999999, so a budget of
 * 1 would either refuse the tenth or, with other values, let a sum creep past the budget. Integers add
 * exactly. Rounding only ever favours privacy: a charge is the double's exact binary value rounded up (what
 * OpenDP's map says is spent, never less), a budget is the decimal the provider wrote rounded down.
 *
 * <p>Invariant: both parts are between 0 and {@link #LIMIT}, so a sum of two never overflows.
 */
record ExactCost(long epsilon, long delta) {
  static final ExactCost ZERO = new ExactCost(0, 0);

  private static final int SCALE = 12;
  /** ε 10⁶: far beyond any meaningful privacy loss, and small enough that sums fit in a long. */
  static final long LIMIT = 1_000_000L * 1_000_000_000_000L;

  ExactCost {
    if (epsilon < 0 || epsilon > LIMIT || delta < 0 || delta > LIMIT) {
      throw new IllegalArgumentException("amount out of range: " + epsilon + ", " + delta + " pico");
    }
  }

  /**
   * What a query costs, its exact binary value rounded up to the next pico-unit. The double 0.1 is
   * 0.1000000000000000055..., so it charges 0.100000000001; the mechanisms calibrate a query asked at
   * ε 0.1 to a double at or below the decimal 0.1, which charges exactly 0.1.
   */
  static ExactCost ofCharge(PrivacyCost cost) {
    BigInteger epsilon = exactPico(cost.epsilon());
    if (epsilon.compareTo(BigInteger.valueOf(LIMIT)) > 0) {
      throw new IllegalArgumentException(
          "A query cannot cost more than ε " + format(LIMIT) + ", got ε " + cost.epsilon());
    }
    // δ < 1 (PrivacyCost's invariant), so it fits.
    return new ExactCost(epsilon.longValueExact(), exactPico(cost.delta()).longValueExact());
  }

  /** What a budget allows, rounded down; a budget above the limit is as good as unlimited. */
  static ExactCost ofBudget(PrivacyCost budget) {
    BigInteger epsilon = writtenPico(budget.epsilon()).min(BigInteger.valueOf(LIMIT));
    return new ExactCost(epsilon.longValueExact(), writtenPico(budget.delta()).longValueExact());
  }

  private static BigInteger exactPico(double value) {
    return new BigDecimal(value).setScale(SCALE, RoundingMode.CEILING).unscaledValue();
  }

  private static BigInteger writtenPico(double value) {
    // Double.toString gives the shortest decimal that reads back as the same double, i.e. what the
    // provider wrote: "0.1", not the binary 0.1000000000000000055...
    return new BigDecimal(Double.toString(value)).setScale(SCALE, RoundingMode.FLOOR).unscaledValue();
  }

  ExactCost plus(ExactCost other) {
    return new ExactCost(epsilon + other.epsilon, delta + other.delta);
  }

  /** What is left of this budget after {@code spent}, never below zero (a budget may have been lowered). */
  ExactCost minus(ExactCost spent) {
    return new ExactCost(Math.max(0, epsilon - spent.epsilon), Math.max(0, delta - spent.delta));
  }

  /** The smaller of each part: what two budgets both still allow. */
  ExactCost least(ExactCost other) {
    return new ExactCost(Math.min(epsilon, other.epsilon), Math.min(delta, other.delta));
  }

  boolean fitsWithin(ExactCost budget) {
    return epsilon <= budget.epsilon && delta <= budget.delta;
  }

  PrivacyCost toPrivacyCost() {
    return new PrivacyCost(decimal(epsilon).doubleValue(), decimal(delta).doubleValue());
  }

  /** For messages: "ε 0.12", or "ε 0.12, δ 0.000001" when δ matters to the reader. */
  String describe(boolean withDelta) {
    String text = "ε " + format(epsilon);
    return withDelta ? text + ", δ " + format(delta) : text;
  }

  private static String format(long pico) {
    BigDecimal value = decimal(pico).stripTrailingZeros();
    // Plain notation for ordinary values ("1000000", not "1E+6"); scientific only for tiny ones ("1E-9").
    return value.scale() <= 0 ? value.toPlainString() : value.toString();
  }

  private static BigDecimal decimal(long pico) {
    return BigDecimal.valueOf(pico, SCALE);
  }
}
