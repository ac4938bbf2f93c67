package dev.cleanroom.dp.client;

import dev.cleanroom.dp.accounting.PrivacyCost;

/** One scientist's privacy budget on one dataset. */
public record BudgetStatus(String dataset, PrivacyCost budget, PrivacyCost spent, PrivacyCost remaining) {}
