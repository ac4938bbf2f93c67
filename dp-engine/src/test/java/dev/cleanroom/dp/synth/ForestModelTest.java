package dev.cleanroom.dp.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ForestModelTest {
  private static final int[] SIZES = {2, 3, 2};
  /** A chain 0 – 1 – 2 (column 1 in the middle), as edges (a, b) with a < b. */
  private static final List<int[]> CHAIN = List.of(new int[] {0, 1}, new int[] {1, 2});
  /** 1,000 rows of the chain: counts of (x0, x1) and of (x1, x2), consistent on column 1. */
  private static final double[] COUNTS_01 = {300, 100, 50, 100, 150, 300};
  private static final double[] COUNTS_12 = {350, 50, 50, 200, 100, 250};

  private static ForestModel.Measured measured(int[] clique, double[] counts, double variance) {
    double[] variances = new double[counts.length];
    Arrays.fill(variances, variance);
    return new ForestModel.Measured(clique, counts, variances);
  }

  private static double[] sum(double[] counts, double[] marginal) {
    double total = Arrays.stream(counts).sum();
    return Arrays.stream(marginal).map(p -> p * total).toArray();
  }

  @Test
  void fit_toExactCountsOfAChain_recoversThem() {
    List<ForestModel.Measured> measured = List.of(
        measured(new int[] {0, 1}, COUNTS_01, 1), measured(new int[] {1, 2}, COUNTS_12, 1));
    ForestModel model = ForestModel.fit(SIZES, CHAIN, measured, 1000, 3000);
    assertArrayEquals(COUNTS_01, sum(COUNTS_01, model.marginal(0, 1)), 0.5);
    assertArrayEquals(COUNTS_12, sum(COUNTS_12, model.marginal(1, 2)), 0.5);
    assertArrayEquals(new double[] {0.45, 0.55}, model.marginal(0), 1e-3);
  }

  @Test
  void fit_toInconsistentNoisyCounts_givesConsistentNonNegativeMarginals() {
    List<ForestModel.Measured> measured = List.of(
        measured(new int[] {1}, new double[] {420, 180, 400}, 100),
        measured(new int[] {0, 1}, new double[] {320, -40, 60, 90, 170, 280}, 100),
        measured(new int[] {1, 2}, new double[] {330, 70, 20, 230, 90, 260}, 100));
    ForestModel model = ForestModel.fit(SIZES, CHAIN, measured, 1000, 3000);
    double[] edge01 = model.marginal(0, 1);
    double[] edge12 = model.marginal(1, 2);
    double[] node1 = model.marginal(1);
    for (int x1 = 0; x1 < 3; x1++) {
      assertEquals(node1[x1], edge01[x1] + edge01[3 + x1], 1e-9);
      assertEquals(node1[x1], edge12[2 * x1] + edge12[2 * x1 + 1], 1e-9);
    }
    assertTrue(Arrays.stream(edge01).allMatch(p -> p >= 0));
    assertEquals(1, Arrays.stream(edge01).sum(), 1e-9);
  }

  @Test
  void estimatedTotal_weighsEachMeasurementByItsPrecision() {
    List<ForestModel.Measured> measured = List.of(
        measured(new int[] {0}, new double[] {500, 500}, 1),
        measured(new int[] {1}, new double[] {400, 400, 400}, 1e6));
    assertEquals(1000, ForestModel.estimatedTotal(measured), 1);
  }

  @Test
  void sample_drawsEachColumnGivenItsParent_withRoundedCounts() {
    List<ForestModel.Measured> measured = List.of(
        measured(new int[] {0, 1}, COUNTS_01, 1), measured(new int[] {1, 2}, COUNTS_12, 1));
    ForestModel model = ForestModel.fit(SIZES, CHAIN, measured, 1000, 3000);
    int[][] rows = model.sample(1000, new SplittableRandom(5));
    double[] pairs = new double[6];
    for (int[] row : rows) {
      pairs[row[0] * 3 + row[1]]++;
    }
    assertArrayEquals(COUNTS_01, pairs, 3, "rounded draws follow the model's counts to within a row or two");
  }

  @Test
  void roundedDraw_givesEachValueItsExpectedCountUpToOne() {
    int[] values = ForestModel.roundedDraw(new double[] {0.5, 0.25, 0.125, 0.125}, 10, new SplittableRandom(6));
    int[] counts = new int[4];
    for (int value : values) {
      counts[value]++;
    }
    double[] expected = {5, 2.5, 1.25, 1.25};
    for (int x = 0; x < 4; x++) {
      assertTrue(Math.abs(counts[x] - expected[x]) < 1, "value " + x + " drawn " + counts[x] + " times");
    }
  }

  @Test
  void fit_withPairsThatCloseACycle_isRefused() {
    List<int[]> cycle = List.of(new int[] {0, 1}, new int[] {1, 2}, new int[] {0, 2});
    assertThrows(IllegalArgumentException.class, () -> ForestModel.fit(SIZES, cycle, List.of(), 10, 1));
  }
}
