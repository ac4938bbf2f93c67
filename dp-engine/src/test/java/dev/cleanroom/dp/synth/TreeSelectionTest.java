package dev.cleanroom.dp.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class TreeSelectionTest {
  /** Four columns: a strong chain 0–1–2–3 and weak other pairs. */
  private static double[][] scores() {
    double[][] scores = new double[4][4];
    scores[0][1] = 1000;
    scores[1][2] = 900;
    scores[2][3] = 800;
    scores[0][2] = 10;
    scores[0][3] = 20;
    scores[1][3] = 30;
    return scores;
  }

  private static Set<String> names(List<int[]> edges) {
    return edges.stream().map(e -> e[0] + "-" + e[1]).collect(Collectors.toSet());
  }

  @Test
  void spanningTree_withScoresFarApartAgainstTheNoise_isTheMaximumSpanningTree() {
    double rho = 50;
    List<int[]> tree = TreeSelection.spanningTree(4, scores(), TreeSelection.scaleFor(rho), rho);
    assertEquals(Set.of("0-1", "1-2", "2-3"), names(tree));
  }

  @Test
  void spanningTree_alwaysSpansEveryColumn_evenWhenTheNoiseDominates() {
    double rho = 1e-8;
    List<int[]> tree = TreeSelection.spanningTree(4, scores(), TreeSelection.scaleFor(rho), rho);
    assertEquals(3, tree.size());
    Set<Integer> joined = tree.stream().flatMap(e -> Stream.of(e[0], e[1])).collect(Collectors.toSet());
    assertEquals(Set.of(0, 1, 2, 3), joined);
  }

  @Test
  void rho_isTheExponentialMechanismsForScoresThatMoveEitherWay() {
    // ρ = (2 Δ / scale)² / 8 with Δ = 1.
    assertEquals(Math.pow(2 / 4.0, 2) / 8, TreeSelection.rho(4), 1e-12);
    assertTrue(TreeSelection.rho(TreeSelection.scaleFor(0.001)) <= 0.001);
  }

  @Test
  void spanningTree_whenARoundWouldCostMoreThanItsShare_isRefused() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TreeSelection.spanningTree(4, scores(), 1.0, TreeSelection.rho(1.0) / 2));
    assertTrue(e.getMessage().contains("above its share"), e.getMessage());
  }
}
