package dev.cleanroom.dp.synth;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A graphical model over discretised columns whose pairs form a forest, fitted to noisy marginals as
 * Private-PGM does (McKenna, Sheldon and Miklau 2019): entropic mirror descent on log-potentials with an
 * Armijo line search, minimising Σ (μ − y)² / (2 σ²) over every measured cell, where μ are the model's
 * marginals scaled to the estimated row count. On a forest, belief propagation gives exact marginals,
 * so the result is a consistent, non-negative set of marginals closest to the measurements.
 *
 * <p>Invariant: every measured pair is an edge of the forest, and edges are stored as (a, b) with
 * a &lt; b and cells indexed {@code xa * size[b] + xb}.
 */
final class ForestModel {
  /** Noisy counts of one column or of one edge, with the noise variance of each cell. */
  record Measured(int[] clique, double[] counts, double[] variance) {}

  private final int[] sizes;
  private final int[][] edges;
  private final double total;
  private final Structure structure;
  private final double[][] nodeTheta;
  private final double[][] edgeTheta;
  private Beliefs beliefs;

  private ForestModel(int[] sizes, List<int[]> edges, double total) {
    this.sizes = sizes.clone();
    this.edges = edges.stream().map(e -> e[0] < e[1] ? new int[] {e[0], e[1]} : new int[] {e[1], e[0]})
        .toArray(int[][]::new);
    this.total = total;
    this.structure = new Structure(sizes.length, this.edges);
    this.nodeTheta = new double[sizes.length][];
    for (int v = 0; v < sizes.length; v++) {
      nodeTheta[v] = new double[sizes[v]];
    }
    this.edgeTheta = new double[this.edges.length][];
    for (int e = 0; e < this.edges.length; e++) {
      edgeTheta[e] = new double[sizes[this.edges[e][0]] * sizes[this.edges[e][1]]];
    }
  }

  /** Fits the model to {@code measured} with {@code iterations} steps of mirror descent. */
  static ForestModel fit(int[] sizes, List<int[]> edges, List<Measured> measured, double total, int iterations) {
    ForestModel model = new ForestModel(sizes, edges, total);
    model.descend(measured, iterations);
    return model;
  }

  /** The minimum-variance unbiased estimate of the row count from each measurement's total. */
  static double estimatedTotal(List<Measured> measured) {
    double weightedSum = 0;
    double weights = 0;
    for (Measured m : measured) {
      double sum = Arrays.stream(m.counts()).sum();
      double variance = Arrays.stream(m.variance()).sum();
      weightedSum += sum / variance;
      weights += 1 / variance;
    }
    return Math.max(1, weightedSum / weights);
  }

  double total() {
    return total;
  }

  /** Probabilities of one column's values. */
  double[] marginal(int node) {
    return beliefs.node[node].clone();
  }

  /** Probabilities of an edge's cells, indexed {@code xa * size[b] + xb} with a &lt; b. */
  double[] marginal(int a, int b) {
    return beliefs.edge[edgeIndex(a, b)].clone();
  }

  private void descend(List<Measured> measured, int iterations) {
    for (Measured m : measured) {
      if (m.clique().length == 2) {
        edgeIndex(m.clique()[0], m.clique()[1]); // fails early on a pair that is not an edge
      }
    }
    double lipschitz = 0;
    for (Measured m : measured) {
      lipschitz += 1 / Arrays.stream(m.variance()).min().orElse(1);
    }
    double alpha = 2.0 / (total * lipschitz);
    beliefs = new Beliefs();
    Gradient current = gradient(measured, beliefs);
    for (int t = 0; t < iterations; t++) {
      step(current, -alpha);
      Beliefs next = new Beliefs();
      Gradient candidate = gradient(measured, next);
      double decrease = current.loss - candidate.loss;
      double expected = 0.5 * alpha * current.dot(measured, beliefs, next, total);
      if (decrease >= expected) {
        beliefs = next;
        current = candidate;
        alpha *= 1.01;
      } else {
        step(current, alpha); // undo
        alpha *= 0.5;
      }
    }
  }

  private void step(Gradient gradient, double factor) {
    for (int v = 0; v < nodeTheta.length; v++) {
      for (int x = 0; x < nodeTheta[v].length; x++) {
        nodeTheta[v][x] += factor * gradient.node[v][x];
      }
    }
    for (int e = 0; e < edgeTheta.length; e++) {
      for (int x = 0; x < edgeTheta[e].length; x++) {
        edgeTheta[e][x] += factor * gradient.edge[e][x];
      }
    }
  }

  /** The loss and its gradient in the marginals, per node and per edge. */
  private final class Gradient {
    final double[][] node = new double[sizes.length][];
    final double[][] edge = new double[edges.length][];
    double loss;

    Gradient() {
      for (int v = 0; v < sizes.length; v++) {
        node[v] = new double[sizes[v]];
      }
      for (int e = 0; e < edges.length; e++) {
        edge[e] = new double[edgeTheta[e].length];
      }
    }

    /** ⟨gradient, μ(before) − μ(after)⟩ over the measured cliques. */
    double dot(List<Measured> measured, Beliefs before, Beliefs after, double total) {
      double sum = 0;
      for (Measured m : measured) {
        double[] g = target(m);
        double[] p = before.of(m);
        double[] q = after.of(m);
        for (int x = 0; x < g.length; x++) {
          sum += g[x] * total * (p[x] - q[x]);
        }
      }
      return sum;
    }

    double[] target(Measured m) {
      return m.clique().length == 1 ? node[m.clique()[0]] : edge[edgeIndex(m.clique()[0], m.clique()[1])];
    }
  }

  private Gradient gradient(List<Measured> measured, Beliefs at) {
    Gradient gradient = new Gradient();
    for (Measured m : measured) {
      double[] p = at.of(m);
      double[] g = gradient.target(m);
      for (int x = 0; x < p.length; x++) {
        double difference = total * p[x] - m.counts()[x];
        gradient.loss += difference * difference / (2 * m.variance()[x]);
        g[x] += difference / m.variance()[x];
      }
    }
    return gradient;
  }

  private int edgeIndex(int a, int b) {
    int low = Math.min(a, b);
    int high = Math.max(a, b);
    for (int e = 0; e < edges.length; e++) {
      if (edges[e][0] == low && edges[e][1] == high) {
        return e;
      }
    }
    throw new IllegalArgumentException("columns " + a + " and " + b + " are not joined in the model");
  }

  /** θ of edge {@code e} at (value of {@code from}, value of {@code to}), whichever way round the edge is. */
  private double edgeTheta(int e, int from, int xFrom, int xTo) {
    int[] edge = edges[e];
    return edge[0] == from ? edgeTheta[e][xFrom * sizes[edge[1]] + xTo] : edgeTheta[e][xTo * sizes[edge[1]] + xFrom];
  }

  /** Exact node and edge marginals of the current potentials, by sum-product on each tree of the forest. */
  private final class Beliefs {
    final double[][] node = new double[sizes.length][];
    final double[][] edge = new double[edges.length][];

    Beliefs() {
      int d = sizes.length;
      double[][] up = new double[d][]; // message from v to its parent, over the parent's values
      int[] order = structure.order;
      for (int i = order.length - 1; i >= 0; i--) {
        int v = order[i];
        int p = structure.parent[v];
        if (p >= 0) {
          up[v] = message(structure.parentEdge[v], v, below(v, up), p);
        }
      }
      double[][] full = new double[d][]; // θ_v plus every incoming message
      for (int v : order) {
        int p = structure.parent[v];
        double[] own = below(v, up);
        if (p < 0) {
          full[v] = own;
        } else {
          int e = structure.parentEdge[v];
          double[] cavity = minus(full[p], up[v]);
          full[v] = plus(own, message(e, p, cavity, v));
          double[] logEdge = new double[edgeTheta[e].length];
          for (int xp = 0; xp < sizes[p]; xp++) {
            for (int xv = 0; xv < sizes[v]; xv++) {
              int cell = edges[e][0] == p ? xp * sizes[v] + xv : xv * sizes[p] + xp;
              logEdge[cell] = cavity[xp] + edgeTheta(e, p, xp, xv) + own[xv];
            }
          }
          edge[e] = normalise(logEdge);
        }
        node[v] = normalise(full[v]);
      }
    }

    /** The message along edge {@code e} from column {@code from}, whose side totals {@code fromSide}, to {@code to}. */
    private double[] message(int e, int from, double[] fromSide, int to) {
      double[] message = new double[sizes[to]];
      double[] terms = new double[sizes[from]];
      for (int xTo = 0; xTo < sizes[to]; xTo++) {
        for (int xFrom = 0; xFrom < sizes[from]; xFrom++) {
          terms[xFrom] = fromSide[xFrom] + edgeTheta(e, from, xFrom, xTo);
        }
        message[xTo] = logSumExp(terms);
      }
      return message;
    }

    /** θ_v plus the messages from v's children. */
    private double[] below(int v, double[][] up) {
      double[] sum = nodeTheta[v].clone();
      for (int child : structure.children.get(v)) {
        for (int x = 0; x < sum.length; x++) {
          sum[x] += up[child][x];
        }
      }
      return sum;
    }

    double[] of(Measured m) {
      return m.clique().length == 1 ? node[m.clique()[0]] : edge[edgeIndex(m.clique()[0], m.clique()[1])];
    }
  }

  /**
   * {@code rows} rows of column values drawn from the model, root first and then each column given its
   * parent, with counts rounded from the model's expected counts as Private-PGM does, so that the rows
   * follow the model's marginals more closely than independent draws would.
   */
  int[][] sample(int rows, RandomGenerator random) {
    int[][] values = new int[rows][sizes.length];
    for (int v : structure.order) {
      int p = structure.parent[v];
      if (p < 0) {
        int[] column = roundedDraw(beliefs.node[v], rows, random);
        for (int r = 0; r < rows; r++) {
          values[r][v] = column[r];
        }
        continue;
      }
      List<List<Integer>> rowsByParent = new ArrayList<>();
      for (int xp = 0; xp < sizes[p]; xp++) {
        rowsByParent.add(new ArrayList<>());
      }
      for (int r = 0; r < rows; r++) {
        rowsByParent.get(values[r][p]).add(r);
      }
      double[] joint = beliefs.edge[structure.parentEdge[v]];
      boolean parentFirst = edges[structure.parentEdge[v]][0] == p;
      for (int xp = 0; xp < sizes[p]; xp++) {
        List<Integer> group = rowsByParent.get(xp);
        if (group.isEmpty()) {
          continue;
        }
        double[] conditional = new double[sizes[v]];
        for (int xv = 0; xv < sizes[v]; xv++) {
          conditional[xv] = joint[parentFirst ? xp * sizes[v] + xv : xv * sizes[p] + xp];
        }
        int[] column = roundedDraw(conditional, group.size(), random);
        for (int i = 0; i < column.length; i++) {
          values[group.get(i)][v] = column[i];
        }
      }
    }
    return values;
  }

  /**
   * {@code count} values with counts proportional to {@code weights}: the whole part of each expected
   * count for sure, the remaining few drawn without replacement in proportion to the fractional parts;
   * then shuffled.
   */
  static int[] roundedDraw(double[] weights, int count, RandomGenerator random) {
    double sum = Arrays.stream(weights).sum();
    int[] counts = new int[weights.length];
    double[] fractions = new double[weights.length];
    int assigned = 0;
    for (int x = 0; x < weights.length; x++) {
      double expected = sum > 0 ? weights[x] * count / sum : (double) count / weights.length;
      counts[x] = (int) Math.floor(expected);
      fractions[x] = expected - counts[x];
      assigned += counts[x];
    }
    for (int extra = count - assigned; extra > 0; extra--) {
      int x = WeightedDraw.index(fractions, random);
      counts[x]++;
      fractions[x] = 0;
    }
    int[] values = new int[count];
    int at = 0;
    for (int x = 0; x < counts.length; x++) {
      for (int i = 0; i < counts[x]; i++) {
        values[at++] = x;
      }
    }
    for (int i = values.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = values[i];
      values[i] = values[j];
      values[j] = swap;
    }
    return values;
  }

  private static double logSumExp(double[] values) {
    double max = Double.NEGATIVE_INFINITY;
    for (double value : values) {
      max = Math.max(max, value);
    }
    double sum = 0;
    for (double value : values) {
      sum += Math.exp(value - max);
    }
    return max + Math.log(sum);
  }

  private static double[] normalise(double[] logValues) {
    double logTotal = logSumExp(logValues);
    double[] probabilities = new double[logValues.length];
    for (int x = 0; x < logValues.length; x++) {
      probabilities[x] = Math.exp(logValues[x] - logTotal);
    }
    return probabilities;
  }

  private static double[] plus(double[] a, double[] b) {
    double[] sum = a.clone();
    for (int x = 0; x < sum.length; x++) {
      sum[x] += b[x];
    }
    return sum;
  }

  private static double[] minus(double[] a, double[] b) {
    double[] difference = a.clone();
    for (int x = 0; x < difference.length; x++) {
      difference[x] -= b[x];
    }
    return difference;
  }

  /** The forest rooted at the lowest column of each tree: a parent for every other column, and an order. */
  private static final class Structure {
    final int[] parent;
    final int[] parentEdge;
    final List<List<Integer>> children = new ArrayList<>();
    final int[] order;

    Structure(int nodes, int[][] edges) {
      parent = new int[nodes];
      parentEdge = new int[nodes];
      Arrays.fill(parent, -2);
      List<List<int[]>> adjacent = new ArrayList<>();
      for (int v = 0; v < nodes; v++) {
        adjacent.add(new ArrayList<>());
        children.add(new ArrayList<>());
      }
      for (int e = 0; e < edges.length; e++) {
        adjacent.get(edges[e][0]).add(new int[] {edges[e][1], e});
        adjacent.get(edges[e][1]).add(new int[] {edges[e][0], e});
      }
      order = new int[nodes];
      int placed = 0;
      for (int root = 0; root < nodes; root++) {
        if (parent[root] != -2) {
          continue;
        }
        parent[root] = -1;
        Deque<Integer> queue = new ArrayDeque<>(List.of(root));
        while (!queue.isEmpty()) {
          int v = queue.poll();
          order[placed++] = v;
          for (int[] next : adjacent.get(v)) {
            int w = next[0];
            if (w == parent[v]) {
              continue;
            }
            if (parent[w] != -2) {
              throw new IllegalArgumentException("the measured pairs form a cycle through column " + w);
            }
            parent[w] = v;
            parentEdge[w] = next[1];
            children.get(v).add(w);
            queue.add(w);
          }
        }
      }
    }
  }
}
