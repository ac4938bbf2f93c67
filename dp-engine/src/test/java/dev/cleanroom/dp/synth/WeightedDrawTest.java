package dev.cleanroom.dp.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightedDrawTest {
  private static int[] draws(double[] weights, int times) {
    SplittableRandom random = new SplittableRandom(8);
    int[] drawn = new int[weights.length];
    for (int i = 0; i < times; i++) {
      drawn[WeightedDraw.index(weights, random)]++;
    }
    return drawn;
  }

  @Test
  void index_followsTheWeights_andNeverDrawsOneAtOrBelowZero() {
    int[] drawn = draws(new double[] {-5, 1, 0, 3}, 40_000);
    assertEquals(0, drawn[0]);
    assertEquals(0, drawn[2]);
    assertEquals(0.25, drawn[1] / 40_000.0, 0.02);
  }

  @Test
  void index_whereNoWeightIsAboveZero_isUniform() {
    int[] drawn = draws(new double[] {-1, -2, 0}, 30_000);
    for (int i = 0; i < 3; i++) {
      assertTrue(drawn[i] > 9_000, "index " + i + " drawn " + drawn[i] + " times");
    }
  }
}
