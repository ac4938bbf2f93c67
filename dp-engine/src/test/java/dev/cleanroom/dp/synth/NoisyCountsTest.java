package dev.cleanroom.dp.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NoisyCountsTest {
  /** 100 rows in cell 0, 300 in cell 2, none in cell 1, 50 in no cell. */
  private static int[] rows() {
    int[] cells = new int[450];
    for (int r = 0; r < cells.length; r++) {
      cells[r] = r < 100 ? 0 : r < 400 ? 2 : Bins.NONE;
    }
    return cells;
  }

  @Test
  void release_countsEachCell_withNoiseOfTheGivenScale() {
    double scale = 0.5;
    long[] counts = NoisyCounts.release(rows(), 3, scale, NoisyCounts.rho(scale));
    assertEquals(3, counts.length);
    assertEquals(100, counts[0], 4);
    assertEquals(0, counts[1], 4);
    assertEquals(300, counts[2], 4, "rows in no cell are counted nowhere");
  }

  @Test
  void rho_isOpenDpsMapForOneCountOfSensitivityOne_whateverTheCells() {
    assertEquals(1 / (2 * 10.0 * 10.0), NoisyCounts.rho(10), 1e-12);
    double rho = 0.002;
    assertTrue(NoisyCounts.rho(NoisyCounts.scaleFor(rho)) <= rho);
  }

  @Test
  void release_aboveItsShareOfRho_isRefusedBeforeTouchingTheRows() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> NoisyCounts.release(rows(), 3, 1.0, NoisyCounts.rho(1.0) / 2));
    assertTrue(e.getMessage().contains("above its share"), e.getMessage());
  }
}
