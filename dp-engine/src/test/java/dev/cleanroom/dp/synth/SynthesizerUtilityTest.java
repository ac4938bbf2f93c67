package dev.cleanroom.dp.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.table.PrivateTable;
import dev.cleanroom.dp.testing.InsuranceData;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The utility gate of issue 4: at ε 1 and δ 1e-6 on the insurance data, the median over five runs of
 * our synthetic data must beat the published MST output of the system we learn from
 * (anchor-mst-synthetic.csv) on both the mean pairwise TVD and the regression RMSE.
 */
@Timeout(120)
class SynthesizerUtilityTest {
  private static final PrivacyCost BUDGET = new PrivacyCost(1, 1e-6);
  private static final int RUNS = 5;

  private static CsvFile read(String file) throws IOException {
    return CsvFile.read(InsuranceData.DIR.resolve(file));
  }

  @Test
  void theMeasures_giveTheIssuesReferenceFigures() throws IOException {
    CsvFile real = read("real.csv");
    CsvFile anchor = read("anchor-mst-synthetic.csv");
    assertEquals(0.137, InsuranceUtility.meanPairwiseTvd(real, anchor), 0.0005);
    assertEquals(10_709, InsuranceUtility.regressionRmse(anchor, real), 0.5);
    assertEquals(4_898, InsuranceUtility.regressionRmse(real, real), 0.5);
    assertEquals(0, InsuranceUtility.meanPairwiseTvd(real, real), 1e-12);
  }

  @Test
  void medianOfFiveRuns_beatsThePublishedMstOutputOnBothMeasures() throws IOException {
    CsvFile real = read("real.csv");
    CsvFile anchor = read("anchor-mst-synthetic.csv");
    double anchorTvd = InsuranceUtility.meanPairwiseTvd(real, anchor);
    double anchorRmse = InsuranceUtility.regressionRmse(anchor, real);
    PrivateTable table = InsuranceData.table(InsuranceData.policy());
    double[] tvd = new double[RUNS];
    double[] rmse = new double[RUNS];
    for (int run = 0; run < RUNS; run++) {
      SyntheticTable synthetic = Synthesizer.synthesize(table, BUDGET, new SplittableRandom(run));
      assertTrue(synthetic.spent().fitsWithin(BUDGET), synthetic.spent().toString());
      tvd[run] = InsuranceUtility.meanPairwiseTvd(real, synthetic.rows());
      rmse[run] = InsuranceUtility.regressionRmse(synthetic.rows(), real);
    }
    String runs = "TVD " + Arrays.toString(tvd) + ", RMSE " + Arrays.toString(rmse);
    assertTrue(median(tvd) < anchorTvd, "median TVD " + median(tvd) + " vs the anchor's " + anchorTvd + "; " + runs);
    assertTrue(median(rmse) < anchorRmse,
        "median RMSE " + median(rmse) + " vs the anchor's " + anchorRmse + "; " + runs);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
