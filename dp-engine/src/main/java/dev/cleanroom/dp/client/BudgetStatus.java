package dev.cleanroom.dp.client;

import dev.cleanroom.dp.accounting.PrivacyCost;

/**
 * One scientist's privacy budget on one dataset.
 *
 * @param remaining what the scientist may still spend: the smaller of their own budget's rest and the rest
 *     of the dataset's total over all users
 */
public record BudgetStatus(String dataset, PrivacyCost budget, PrivacyCost spent, PrivacyCost remaining) {}
