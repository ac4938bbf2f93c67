package dev.cleanroom.dp.mechanisms;

import dev.cleanroom.dp.accounting.PrivacyCost;

/**
 * A released DP answer with what it cost and how noisy it is.
 *
 * @param value the noisy answer
 * @param cost the (ε, δ) charged for it, as OpenDP's privacy map computed it (never above what was asked)
 * @param mechanism the noise mechanism, such as {@code laplace} or {@code gaussian}
 * @param noiseScale the scale of the noise in the answer's own unit: the Laplace scale b (standard
 *     deviation b·√2) or the Gaussian σ; for a mean, the sum's scale divided by the noisy count, which
 *     is approximate; for a quantile, the exponential mechanism's score scale
 */
public record DpAnswer<T>(T value, PrivacyCost cost, String mechanism, double noiseScale) {}
