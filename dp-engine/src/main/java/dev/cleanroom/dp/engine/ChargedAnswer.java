package dev.cleanroom.dp.engine;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.mechanisms.DpAnswer;

/**
 * A released answer together with the charge that paid for it.
 *
 * @param queryId the id the charge was recorded under
 * @param remaining the scientist's budget left on the dataset after this charge
 */
public record ChargedAnswer<T>(String queryId, DpAnswer<T> answer, PrivacyCost remaining) {}
