package dev.cleanroom.dp.mechanisms;

import dev.cleanroom.dp.accounting.PrivacyCost;

/**
 * A released DP answer with what it cost and how noisy it is.
 *
 * @param value the answer as shown: for a count or a histogram, the noisy counts post-processed to whole
 *     numbers of at least 0 (a noisy count below 0 shows as 0, which can only bring it closer to the truth);
 *     otherwise the noisy answer
 * @param cost the (ε, δ) charged for it, as OpenDP's privacy map computed it (never above what was asked)
 * @param mechanism the noise mechanism, such as {@code laplace} or {@code gaussian}
 * @param noiseScale the scale of the noise in the answer's own unit: the Laplace scale b (standard
 *     deviation b·√2) or the Gaussian σ; for a mean, the sum's scale divided by the noisy count, which
 *     is approximate; for a quantile, the exponential mechanism's score scale
 * @param raw the noisy answer before that post-processing, for whoever sums counts and wants them
 *     unbiased (equal to {@code value} for sums, means and quantiles)
 * @param missingValues how the query treated missing values, such as "the mean skips the rows where 'bmi' is
 *     missing"; empty when its column allows none
 */
public record DpAnswer<T>(T value, PrivacyCost cost, String mechanism, double noiseScale, T raw,
    String missingValues) {
  public DpAnswer {
    java.util.Objects.requireNonNull(missingValues, "missingValues");
  }

  /** An answer on a column without missing values. */
  public DpAnswer(T value, PrivacyCost cost, String mechanism, double noiseScale, T raw) {
    this(value, cost, mechanism, noiseScale, raw, "");
  }

  /** An answer that needs no post-processing: shown as released. */
  public DpAnswer(T value, PrivacyCost cost, String mechanism, double noiseScale) {
    this(value, cost, mechanism, noiseScale, value);
  }

  /** Whether the value shown differs from the raw noisy answer. */
  public boolean postProcessed() {
    return !value.equals(raw);
  }
}
