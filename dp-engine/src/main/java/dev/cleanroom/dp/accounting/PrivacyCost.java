package dev.cleanroom.dp.accounting;

import java.math.BigDecimal;

/**
 * An (ε, δ) privacy loss: what one query costs, what a budget allows, what has been spent.
 *
 * <p>Invariant: both parts are finite and non-negative, and δ is below 1. Composition is basic
 * sequential composition: costs add part by part, rounded up, which is sound for any sequence of (ε, δ)-DP
 * releases, including adaptively chosen ones.
 */
public record PrivacyCost(double epsilon, double delta) {
  public static final PrivacyCost ZERO = new PrivacyCost(0, 0);

  public PrivacyCost {
    if (!Double.isFinite(epsilon) || epsilon < 0) {
      throw new IllegalArgumentException("ε must be a finite number ≥ 0, got " + epsilon);
    }
    if (!Double.isFinite(delta) || delta < 0 || delta >= 1) {
      throw new IllegalArgumentException("δ must be in [0, 1), got " + delta);
    }
  }

  public static PrivacyCost pure(double epsilon) {
    return new PrivacyCost(epsilon, 0);
  }

  /** The composed cost, each part the least double at or above the exact sum (never below what both cost). */
  public PrivacyCost plus(PrivacyCost other) {
    return new PrivacyCost(sumUp(epsilon, other.epsilon), sumUp(delta, other.delta));
  }

  private static double sumUp(double a, double b) {
    double sum = a + b;
    // Rounded to nearest, a double sum may lie an ulp below the exact one (0.1 + 0.7), which would undercharge a
    // mean's two parts or a draft's releases; a charge then rounds the double itself up to pico-units.
    return new BigDecimal(sum).compareTo(new BigDecimal(a).add(new BigDecimal(b))) < 0 ? Math.nextUp(sum) : sum;
  }

  /** The part of this budget left after {@code spent}, never below zero in either part. */
  public PrivacyCost minus(PrivacyCost spent) {
    return new PrivacyCost(Math.max(0, epsilon - spent.epsilon), Math.max(0, delta - spent.delta));
  }

  /** Whether this cost fits within {@code budget} in both ε and δ. */
  public boolean fitsWithin(PrivacyCost budget) {
    return epsilon <= budget.epsilon && delta <= budget.delta;
  }

  @Override
  public String toString() {
    return delta == 0 ? String.format("ε %.4g", epsilon) : String.format("ε %.4g, δ %.3g", epsilon, delta);
  }
}
