package dev.cleanroom.dp.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GroupsTest {
  private static int[] groupOfEachBin(Groups groups, int bins) {
    return IntStream.range(0, bins).map(groups::group).toArray();
  }

  @Test
  void ordered_mergesThinBinsWithTheirNeighboursIntoRanges() {
    Groups groups = Groups.ordered(new double[] {5, 50, 2, 3, 40, 100, -4}, 30);
    assertArrayEquals(new int[] {0, 0, 1, 1, 1, 2, 2}, groupOfEachBin(groups, 7), "the thin tail joins the last range");
    assertArrayEquals(new double[] {55, 45, 96}, groups.groupCounts());
  }

  @Test
  void ordered_whenNothingReachesTheThreshold_keepsOneGroup() {
    Groups groups = Groups.ordered(new double[] {1, 2, 3}, 30);
    assertEquals(1, groups.size());
    assertEquals(3, groups.binsIn(0));
  }

  @Test
  void rare_putsEveryThinCategoryIntoOneLastGroup() {
    Groups groups = Groups.rare(new double[] {3, 80, -2, 45}, 30);
    assertArrayEquals(new int[] {2, 0, 2, 1}, groupOfEachBin(groups, 4));
    assertEquals(Bins.NONE, groups.group(Bins.NONE));
  }

  @Test
  void drawBin_followsTheNoisyCountsClippedAtZero() {
    Groups groups = Groups.ordered(new double[] {-10, 30, 10, 200}, 30);
    SplittableRandom random = new SplittableRandom(3);
    int[] drawn = new int[4];
    for (int i = 0; i < 40_000; i++) {
      drawn[groups.drawBin(0, random)]++;
    }
    assertEquals(0, drawn[0], "a negative count is never drawn");
    assertEquals(0.75, drawn[1] / 40_000.0, 0.02);
    assertEquals(0.25, drawn[2] / 40_000.0, 0.02);
  }
}
