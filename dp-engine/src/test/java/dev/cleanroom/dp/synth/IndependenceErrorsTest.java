package dev.cleanroom.dp.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pair scores MST's selection runs on: sensitivity 1 must hold exactly, not up to float rounding. */
class IndependenceErrorsTest {
  private static final int[] SIZES = {2, 3, 2};

  /** An independence model fitted to one-way counts that are not whole numbers, as noisy counts are not. */
  private static ForestModel independent() {
    List<ForestModel.Measured> oneWay = List.of(
        new ForestModel.Measured(new int[] {0}, new double[] {101.3, 97.9}, new double[] {4, 4}),
        new ForestModel.Measured(new int[] {1}, new double[] {60.2, 70.7, 68.1}, new double[] {4, 4, 4}),
        new ForestModel.Measured(new int[] {2}, new double[] {120.45, 79.1}, new double[] {4, 4}));
    return ForestModel.fit(SIZES, List.of(), oneWay, ForestModel.estimatedTotal(oneWay), 200);
  }

  private static int[][] rows(int count, SplittableRandom random) {
    int[][] groupOfRow = new int[SIZES.length][count];
    for (int r = 0; r < count; r++) {
      for (int c = 0; c < SIZES.length; c++) {
        groupOfRow[c][r] = random.nextInt(SIZES[c]);
      }
    }
    return groupOfRow;
  }

  @Test
  void scoresAreWholeNumbers_andOneMoreRowMovesEachByAtMostOne() {
    ForestModel model = independent();
    SplittableRandom random = new SplittableRandom(15);
    for (int trial = 0; trial < 50; trial++) {
      int[][] without = rows(200, random);
      int[][] with = new int[SIZES.length][];
      for (int c = 0; c < SIZES.length; c++) {
        with[c] = Arrays.copyOf(without[c], 201);
        with[c][200] = random.nextInt(SIZES[c]);
      }
      double[][] before = Synthesizer.independenceErrors(without, SIZES, model);
      double[][] after = Synthesizer.independenceErrors(with, SIZES, model);
      for (int a = 0; a < SIZES.length; a++) {
        for (int b = a + 1; b < SIZES.length; b++) {
          assertEquals(Math.rint(before[a][b]), before[a][b], "score of (" + a + ", " + b + ")");
          assertTrue(Math.abs(after[a][b] - before[a][b]) <= 1, before[a][b] + " → " + after[a][b]);
        }
      }
    }
  }
}
