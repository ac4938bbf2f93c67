package dev.cleanroom.dp.synth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A column's bins merged into groups where the noisy one-way counts are too thin to be worth a cell of
 * their own in a pairwise table (MST's domain compression). Decided from noisy counts only, so it is
 * post-processing and costs nothing.
 *
 * <p>Ordered (numeric) bins merge with their neighbours, so a group is always a range of values;
 * categories merge into one "rare" group, as in MST. A group turns back into a bin in proportion to the
 * bins' noisy counts (clipped at zero), or uniformly where none of them is above zero.
 *
 * <p>Invariant: every bin belongs to exactly one group, and group numbers run from 0 with no gap.
 */
final class Groups {
  private final int[] groupOfBin;
  private final int[][] binsOfGroup;
  private final double[] noisyCounts;

  private Groups(int[] groupOfBin, double[] noisyCounts) {
    this.groupOfBin = groupOfBin;
    this.noisyCounts = noisyCounts.clone();
    int groups = Arrays.stream(groupOfBin).max().orElse(-1) + 1;
    List<List<Integer>> members = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      members.add(new ArrayList<>());
    }
    for (int bin = 0; bin < groupOfBin.length; bin++) {
      members.get(groupOfBin[bin]).add(bin);
    }
    this.binsOfGroup =
        members.stream().map(m -> m.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
  }

  /** Ranges of adjacent bins, left to right, each closed once its noisy count reaches {@code threshold}. */
  static Groups ordered(double[] noisyCounts, double threshold) {
    int[] groupOf = new int[noisyCounts.length];
    int group = 0;
    double mass = 0;
    int groupStart = 0;
    for (int bin = 0; bin < noisyCounts.length; bin++) {
      groupOf[bin] = group;
      mass += noisyCounts[bin];
      if (mass >= threshold) {
        group++;
        mass = 0;
        groupStart = bin + 1;
      }
    }
    // A thin tail joins the last full group, if there is one.
    if (groupStart < noisyCounts.length && group > 0) {
      for (int bin = groupStart; bin < noisyCounts.length; bin++) {
        groupOf[bin] = group - 1;
      }
    }
    return new Groups(groupOf, noisyCounts);
  }

  /** Each category whose noisy count reaches {@code threshold} alone; all others in one last group. */
  static Groups rare(double[] noisyCounts, double threshold) {
    int[] groupOf = new int[noisyCounts.length];
    int kept = 0;
    for (int bin = 0; bin < noisyCounts.length; bin++) {
      if (noisyCounts[bin] >= threshold) {
        groupOf[bin] = kept++;
      }
    }
    for (int bin = 0; bin < noisyCounts.length; bin++) {
      if (noisyCounts[bin] < threshold) {
        groupOf[bin] = kept;
      }
    }
    return new Groups(groupOf, noisyCounts);
  }

  int size() {
    return binsOfGroup.length;
  }

  int group(int bin) {
    return bin == Bins.NONE ? Bins.NONE : groupOfBin[bin];
  }

  int binsIn(int group) {
    return binsOfGroup[group].length;
  }

  /** The noisy counts summed per group. */
  double[] groupCounts() {
    double[] sums = new double[size()];
    for (int bin = 0; bin < groupOfBin.length; bin++) {
      sums[groupOfBin[bin]] += noisyCounts[bin];
    }
    return sums;
  }

  /** A bin of {@code group}, drawn in proportion to the bins' noisy counts clipped at zero. */
  int drawBin(int group, RandomGenerator random) {
    int[] bins = binsOfGroup[group];
    double[] weights = new double[bins.length];
    for (int i = 0; i < bins.length; i++) {
      weights[i] = noisyCounts[bins[i]];
    }
    return bins[WeightedDraw.index(weights, random)];
  }
}
