package dev.cleanroom.dp.opendp;

import java.util.Arrays;

/**
 * The two-sample Kolmogorov–Smirnov test: do two samples come from one distribution?
 *
 * <p>The statistic D is the largest gap between the two empirical distribution functions. The test
 * rejects at significance α when D exceeds c(α)·√((n+m)/(n·m)) with c(α) = √(−ln(α/2)/2), the
 * asymptotic bound: for the sample sizes used here (tens of thousands) the Kolmogorov distribution
 * applies, and its tail 2Σ(−1)^(k−1)·e^(−2k²c²) is below its first term 2·e^(−2c²) = α. For discrete
 * distributions (tied values) the test is conservative: D only gets smaller, so false alarms stay
 * at most α.
 */
final class KolmogorovSmirnov {
  private KolmogorovSmirnov() {}

  /** The largest gap between the empirical distribution functions of {@code a} and {@code b}. */
  static double statistic(double[] a, double[] b) {
    double[] x = a.clone();
    double[] y = b.clone();
    Arrays.sort(x);
    Arrays.sort(y);
    int i = 0;
    int j = 0;
    double largest = 0;
    while (i < x.length && j < y.length) {
      // Step past every copy of the next value in both samples before comparing: with ties, the
      // distribution functions are only defined after the whole step.
      double next = Math.min(x[i], y[j]);
      while (i < x.length && x[i] == next) {
        i++;
      }
      while (j < y.length && y[j] == next) {
        j++;
      }
      largest = Math.max(largest, Math.abs((double) i / x.length - (double) j / y.length));
    }
    return largest;
  }

  /** The D above which samples of sizes {@code n} and {@code m} are judged different at {@code alpha}. */
  static double criticalValue(double alpha, int n, int m) {
    double c = Math.sqrt(-Math.log(alpha / 2) / 2);
    return c * Math.sqrt((double) (n + m) / ((double) n * m));
  }
}
