package dev.cleanroom.dp.synth;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.table.PrivateTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * DP synthetic data, MST-style (McKenna, Miklau and Sheldon 2021): discretise every visible column by
 * its policy, measure all one-way counts with Gaussian noise, choose a spanning tree of column pairs
 * with the exponential mechanism, measure those pairs' counts, fit a tree-shaped graphical model to all
 * the noisy counts (Private-PGM), and sample from it as many rows as the noisy counts say there are.
 *
 * <p>Invariant: every access to the real rows goes through an OpenDP measurement whose privacy map has
 * been checked against its share of ρ; everything after is post-processing of noisy answers. The total
 * is accounted in zCDP and reported as (ε, δ) by OpenDP. Randomness other than OpenDP's noise (bin
 * merges drawn back, sampling) comes from the caller's generator.
 */
public final class Synthesizer {
  /**
   * MST's compression: a bin whose noisy one-way count is below this many noise standard deviations
   * shares a cell with its neighbours in the pairwise tables.
   */
  static final double COMPRESSION_THRESHOLD = 3;

  /** Mirror-descent steps for the final model and for the independence model that scores pairs. */
  static final int ITERATIONS = 3000;

  static final int SCORING_ITERATIONS = 500;

  private Synthesizer() {}

  /**
   * The plan a synthesis within {@code budget} follows on data under {@code policy}: its bins, noise
   * scales and cost, all fixed before any data is read.
   *
   * @throws SynthesisException if the budget has no ε or no δ to spend
   */
  public static SynthesisPlan plan(DatasetPolicy policy, PrivacyCost budget) {
    if (!(budget.epsilon() > 0)) {
      throw new SynthesisException("invalid_budget", "Synthetic data for dataset '" + policy.dataset()
          + "' needs an ε above 0 to spend, got " + budget.epsilon()
          + "; set synthetic: {epsilon: ..., delta: ...} in the policy (1.0 and 1.0e-6 are typical)");
    }
    if (!(budget.delta() > 0)) {
      throw new SynthesisException("invalid_budget", "Synthetic data for dataset '" + policy.dataset()
          + "' needs a δ above 0: its Gaussian noise is accounted in zero-concentrated DP, which has no pure-ε "
          + "form; set synthetic.delta in the policy to a value well below 1/rows, such as 1.0e-6");
    }
    return SynthesisPlan.of(policy, budget);
  }

  /**
   * Synthetic rows for {@code table}, spending at most {@code budget} (see {@link SyntheticTable#spent()}).
   *
   * @param random the generator for everything but OpenDP's noise; the same seed and the same noisy
   *     answers give the same rows
   * @throws SynthesisException if the budget has no ε or no δ to spend
   */
  public static SyntheticTable synthesize(PrivateTable table, PrivacyCost budget, RandomGenerator random) {
    SynthesisPlan plan = plan(table.policy(), budget);
    int[][] binOfRow = binsOfRows(table, plan);
    List<ForestModel.Measured> measured = new ArrayList<>();
    Groups[] groups = measureColumns(binOfRow, plan, measured);
    int[] sizes = Arrays.stream(groups).mapToInt(Groups::size).toArray();
    int[][] groupOfRow = groupsOfRows(binOfRow, groups);
    List<int[]> tree = choosePairs(groupOfRow, sizes, measured, plan);
    measurePairs(tree, groupOfRow, sizes, plan, measured);

    // The model closest to every noisy count, and as many rows as the noisy counts say there are.
    double total = ForestModel.estimatedTotal(measured);
    ForestModel model = ForestModel.fit(sizes, tree, measured, total, ITERATIONS);
    int[][] sampled = model.sample((int) Math.round(total), random);
    List<List<String>> rows = new ArrayList<>(sampled.length);
    for (int[] groupValues : sampled) {
      List<String> row = new ArrayList<>(groups.length);
      for (int c = 0; c < groups.length; c++) {
        row.add(plan.bins().get(c).draw(groups[c].drawBin(groupValues[c], random), random));
      }
      rows.add(row);
    }
    List<SyntheticTable.ColumnPair> pairs = tree.stream()
        .map(p -> new SyntheticTable.ColumnPair(plan.columns().get(p[0]), plan.columns().get(p[1])))
        .toList();
    return new SyntheticTable(new CsvFile(plan.columns(), rows), plan, pairs);
  }

  /** Each row's bin in each visible column ({@link Bins#NONE} for an undeclared category). */
  private static int[][] binsOfRows(PrivateTable table, SynthesisPlan plan) {
    int[][] binOfRow = new int[plan.columns().size()][];
    for (int c = 0; c < binOfRow.length; c++) {
      binOfRow[c] = plan.bins().get(c).binsOf(table, plan.columns().get(c));
    }
    return binOfRow;
  }

  /**
   * Step 1: every column's noisy counts over the policy's bins, added to {@code measured} over the
   * groups that thin bins are then merged into (post-processing, as MST compresses its domain).
   */
  private static Groups[] measureColumns(int[][] binOfRow, SynthesisPlan plan, List<ForestModel.Measured> measured) {
    Groups[] groups = new Groups[binOfRow.length];
    double variance = plan.oneWayScale() * plan.oneWayScale();
    for (int c = 0; c < binOfRow.length; c++) {
      Bins bins = plan.bins().get(c);
      double[] counts = toDoubles(NoisyCounts.release(binOfRow[c], bins.size(), plan.oneWayScale(), plan.oneWayRho()));
      double threshold = COMPRESSION_THRESHOLD * plan.oneWayScale();
      groups[c] = bins.ordered() ? Groups.ordered(counts, threshold) : Groups.rare(counts, threshold);
      double[] groupVariance = new double[groups[c].size()];
      for (int g = 0; g < groupVariance.length; g++) {
        groupVariance[g] = groups[c].binsIn(g) * variance; // a group's count sums its bins' noisy counts
      }
      measured.add(new ForestModel.Measured(new int[] {c}, groups[c].groupCounts(), groupVariance));
    }
    return groups;
  }

  private static int[][] groupsOfRows(int[][] binOfRow, Groups[] groups) {
    int[][] groupOfRow = new int[binOfRow.length][];
    for (int c = 0; c < binOfRow.length; c++) {
      groupOfRow[c] = Arrays.stream(binOfRow[c]).map(groups[c]::group).toArray();
    }
    return groupOfRow;
  }

  /** Step 2: the pairs to measure, a spanning tree chosen privately (no choice with two columns). */
  private static List<int[]> choosePairs(
      int[][] groupOfRow, int[] sizes, List<ForestModel.Measured> oneWay, SynthesisPlan plan) {
    return switch (sizes.length) {
      case 1 -> List.of();
      case 2 -> List.<int[]>of(new int[] {0, 1});
      default -> {
        double total = ForestModel.estimatedTotal(oneWay);
        ForestModel independent = ForestModel.fit(sizes, List.of(), oneWay, total, SCORING_ITERATIONS);
        double[][] scores = independenceErrors(groupOfRow, sizes, independent);
        yield TreeSelection.spanningTree(sizes.length, scores, plan.selectionScale(), plan.selectionRho());
      }
    };
  }

  /** Step 3: noisy counts of each chosen pair over the merged bins, added to {@code measured}. */
  private static void measurePairs(List<int[]> tree, int[][] groupOfRow, int[] sizes, SynthesisPlan plan,
      List<ForestModel.Measured> measured) {
    for (int[] pair : tree) {
      int a = pair[0];
      int b = pair[1];
      int[] cellOfRow = new int[groupOfRow[a].length];
      for (int r = 0; r < cellOfRow.length; r++) {
        int ga = groupOfRow[a][r];
        int gb = groupOfRow[b][r];
        cellOfRow[r] = ga == Bins.NONE || gb == Bins.NONE ? Bins.NONE : ga * sizes[b] + gb;
      }
      int cells = sizes[a] * sizes[b];
      double[] counts = toDoubles(NoisyCounts.release(cellOfRow, cells, plan.twoWayScale(), plan.twoWayRho()));
      double[] variance = new double[cells];
      Arrays.fill(variance, plan.twoWayScale() * plan.twoWayScale());
      measured.add(new ForestModel.Measured(new int[] {a, b}, counts, variance));
    }
  }

  /**
   * Each pair's score for the selection: the L1 distance between its true counts over the merged bins
   * and the counts the independence model predicts from noisy one-way counts alone, each prediction
   * rounded to a whole count. In whole numbers the argument for sensitivity 1 holds exactly, with no float
   * rounding: one record moves one true count by one, and the predictions (post-processing of released
   * counts) are the same with or without it, so the score moves by at most one.
   */
  static double[][] independenceErrors(int[][] groupOfRow, int[] sizes, ForestModel independent) {
    int d = sizes.length;
    double[][] scores = new double[d][d];
    for (int a = 0; a < d; a++) {
      double[] pa = independent.marginal(a);
      for (int b = a + 1; b < d; b++) {
        double[] pb = independent.marginal(b);
        long[] counts = new long[sizes[a] * sizes[b]];
        for (int r = 0; r < groupOfRow[a].length; r++) {
          int ga = groupOfRow[a][r];
          int gb = groupOfRow[b][r];
          if (ga != Bins.NONE && gb != Bins.NONE) {
            counts[ga * sizes[b] + gb]++;
          }
        }
        long error = 0;
        for (int ga = 0; ga < sizes[a]; ga++) {
          for (int gb = 0; gb < sizes[b]; gb++) {
            long predicted = Math.round(independent.total() * pa[ga] * pb[gb]);
            error += Math.abs(counts[ga * sizes[b] + gb] - predicted);
          }
        }
        // A whole number far below 2^53: exact as a double.
        scores[a][b] = error;
      }
    }
    return scores;
  }

  private static double[] toDoubles(long[] values) {
    double[] doubles = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      doubles[i] = values[i];
    }
    return doubles;
  }
}
