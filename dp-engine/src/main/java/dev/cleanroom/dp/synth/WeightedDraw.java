package dev.cleanroom.dp.synth;

import java.util.random.RandomGenerator;

/** An index drawn in proportion to weights, where a weight at or below zero counts as zero. */
final class WeightedDraw {
  private WeightedDraw() {}

  /** Uniform over all indices when no weight is above zero (noisy counts can all be). */
  static int index(double[] weights, RandomGenerator random) {
    double total = 0;
    for (double weight : weights) {
      total += Math.max(0, weight);
    }
    if (!(total > 0)) {
      return random.nextInt(weights.length);
    }
    double u = random.nextDouble(total);
    int lastPositive = 0;
    for (int i = 0; i < weights.length; i++) {
      if (weights[i] > 0) {
        lastPositive = i;
        u -= weights[i];
        if (u < 0) {
          return i;
        }
      }
    }
    return lastPositive; // only where rounding left u a hair above zero
  }
}
