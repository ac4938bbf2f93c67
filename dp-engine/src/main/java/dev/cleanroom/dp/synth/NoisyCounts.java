package dev.cleanroom.dp.synth;

import dev.cleanroom.dp.opendp.Combinators;
import dev.cleanroom.dp.opendp.Data;
import dev.cleanroom.dp.opendp.Domain;
import dev.cleanroom.dp.opendp.Domains;
import dev.cleanroom.dp.opendp.Measurement;
import dev.cleanroom.dp.opendp.Measurements;
import dev.cleanroom.dp.opendp.Measures;
import dev.cleanroom.dp.opendp.Metric;
import dev.cleanroom.dp.opendp.Metrics;
import dev.cleanroom.dp.opendp.Transformation;
import dev.cleanroom.dp.opendp.Transformations;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One marginal's counts with Gaussian noise, by OpenDP: {@code make_count_by_categories} over the
 * cells, then {@code make_gaussian} (discrete Gaussian on the integer counts) in zCDP.
 *
 * <p>Each row is one cell label, so adding or removing a row changes one count by one: OpenDP's
 * stability map gives L2 sensitivity 1 at one record, whatever the number of cells. Rows outside every
 * cell (an undeclared category) are counted nowhere.
 */
final class NoisyCounts {
  /** The label of a row that falls in no cell. */
  private static final String NO_CELL = "-";

  private NoisyCounts() {}

  /**
   * The noise scale at which a marginal costs at most {@code rho} by OpenDP's map. The cost does not
   * depend on the number of cells, so neither does the scale.
   */
  static double scaleFor(double rho) {
    return ConcentratedAccounting.scaleWithin(rho, 1 / Math.sqrt(2 * rho), NoisyCounts::rho);
  }

  /** OpenDP's ρ for a marginal with noise of {@code scale}, at one record added or removed. */
  static double rho(double scale) {
    try (Measurement counts = measurement(1, scale); Data oneRecord = Data.u32(1); Data rho = counts.map(oneRecord)) {
      return rho.asF64();
    }
  }

  /**
   * Noisy counts of {@code cellOfRow} (each in [0, cells) or {@link Bins#NONE}), with fresh noise from
   * OpenDP's secure generator, after checking that the measurement costs at most {@code rho}.
   */
  static long[] release(int[] cellOfRow, int cells, double scale, double rho) {
    List<String> labels = new ArrayList<>(cellOfRow.length);
    for (int cell : cellOfRow) {
      labels.add(cell == Bins.NONE ? NO_CELL : Integer.toString(cell));
    }
    try (Measurement counts = measurement(cells, scale);
        Data oneRecord = Data.u32(1);
        Data cost = counts.map(oneRecord);
        Data rows = Data.vecString(labels)) {
      if (cost.asF64() > rho) {
        throw new IllegalStateException("a marginal would cost ρ " + cost.asF64() + ", above its share " + rho);
      }
      try (Data noisy = counts.invoke(rows)) {
        return noisy.asI64Vec();
      }
    }
  }

  private static Measurement measurement(int cells, double scale) {
    List<String> cellLabels = IntStream.range(0, cells).mapToObj(Integer::toString).toList();
    try (Domain atom = Domains.atomDomain("String");
        Domain rows = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance();
        Transformation count =
            Transformations.makeCountByCategories(rows, symmetric, cellLabels, false, "L2Distance<i64>", "i64");
        Domain countDomain = count.outputDomain();
        Metric countMetric = count.outputMetric();
        Measurement gaussian =
            Measurements.makeGaussian(countDomain, countMetric, scale, Measures.ZERO_CONCENTRATED_DIVERGENCE)) {
      return Combinators.makeChainMt(gaussian, count);
    }
  }
}
