package dev.cleanroom.dp.synth;

import dev.cleanroom.dp.opendp.Data;
import dev.cleanroom.dp.opendp.Domain;
import dev.cleanroom.dp.opendp.Domains;
import dev.cleanroom.dp.opendp.Measure;
import dev.cleanroom.dp.opendp.Measurement;
import dev.cleanroom.dp.opendp.Measurements;
import dev.cleanroom.dp.opendp.Measures;
import dev.cleanroom.dp.opendp.Metric;
import dev.cleanroom.dp.opendp.Metrics;
import java.util.ArrayList;
import java.util.List;

/**
 * MST's choice of column pairs: a spanning tree over the columns grown one edge at a time (Kruskal),
 * each edge picked by OpenDP's exponential mechanism ({@code make_noisy_max}, Gumbel noise, zCDP) among
 * the pairs that join two parts of the tree so far.
 *
 * <p>A pair's score is the L1 distance between its true count table and the table that independence of
 * the two columns predicts from the noisy one-way counts, both in whole counts (the scores are integers,
 * so no float rounding enters). One record moves one cell of each true table by one, so every score moves
 * by at most one, up or down: distance 1 in L∞, not monotonic, which is what each round's privacy map is
 * taken at.
 */
final class TreeSelection {
  private TreeSelection() {}

  /** The noise scale at which one round costs at most {@code rho} by OpenDP's map. */
  static double scaleFor(double rho) {
    // ρ = (2 Δ / scale)² / 8 with Δ = 1 for the exponential mechanism on non-monotonic scores.
    return ConcentratedAccounting.scaleWithin(rho, 1 / Math.sqrt(2 * rho), TreeSelection::rho);
  }

  static double rho(double scale) {
    try (Measurement noisyMax = measurement(scale);
        Data oneScoreUnit = Data.f64(1);
        Data rho = noisyMax.map(oneScoreUnit)) {
      return rho.asF64();
    }
  }

  /**
   * The edges (pairs {a, b} with a &lt; b) of a spanning tree over {@code columns}, given each pair's
   * score in {@code scores[a][b]}. Every round with a choice to make costs at most {@code rho}.
   */
  static List<int[]> spanningTree(int columns, double[][] scores, double scale, double rho) {
    int[] component = new int[columns];
    for (int c = 0; c < columns; c++) {
      component[c] = c;
    }
    List<int[]> edges = new ArrayList<>();
    try (Measurement noisyMax = measurement(scale);
        Data oneScoreUnit = Data.f64(1);
        Data cost = noisyMax.map(oneScoreUnit)) {
      if (cost.asF64() > rho) {
        throw new IllegalStateException("a selection round would cost ρ " + cost.asF64() + ", above its share " + rho);
      }
      while (edges.size() < columns - 1) {
        List<int[]> candidates = new ArrayList<>();
        for (int a = 0; a < columns; a++) {
          for (int b = a + 1; b < columns; b++) {
            if (component[a] != component[b]) {
              candidates.add(new int[] {a, b});
            }
          }
        }
        int[] chosen = candidates.size() == 1 ? candidates.get(0) : candidates.get(pick(noisyMax, candidates, scores));
        edges.add(chosen);
        int merged = component[chosen[1]];
        for (int c = 0; c < columns; c++) {
          if (component[c] == merged) {
            component[c] = component[chosen[0]];
          }
        }
      }
    }
    return List.copyOf(edges);
  }

  private static int pick(Measurement noisyMax, List<int[]> candidates, double[][] scores) {
    double[] candidateScores = candidates.stream().mapToDouble(pair -> scores[pair[0]][pair[1]]).toArray();
    try (Data input = Data.vecF64(candidateScores); Data index = noisyMax.invoke(input)) {
      return (int) index.asI64();
    }
  }

  private static Measurement measurement(double scale) {
    try (Domain atom = Domains.atomDomain("f64", false);
        Domain scoreVectors = Domains.vectorDomain(atom);
        Metric linf = Metrics.linfDistance("f64", false);
        Measure zcdp = Measures.zeroConcentratedDivergence()) {
      return Measurements.makeNoisyMax(scoreVectors, linf, zcdp, scale, false);
    }
  }
}
