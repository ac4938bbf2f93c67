package dev.cleanroom.dp.ledger;

import dev.cleanroom.dp.accounting.PrivacyCost;
import java.util.Objects;

/**
 * The budgets a charge on a dataset is checked against: what one spender may spend on it, and what
 * everyone together may spend on it, over all users and all views (queries, the synthetic view, a
 * drafted policy).
 *
 * @param key what the budget belongs to: the same key is the same budget, whatever name the dataset is
 *     served under (see {@code ProvisionedDataset#budgetKey} for the one rule that makes keys)
 * @param perSpender one spender's total on the dataset
 * @param total everyone's total on the dataset
 * @param scientists whether {@code perSpender} is a scientist's budget (held for the key like the total), not
 *     a provider's, whose own budget is the total
 */
public record DatasetBudget(String key, PrivacyCost perSpender, PrivacyCost total, boolean scientists) {
  public DatasetBudget {
    ChargeRequest.requireNotBlank(key, "budget key");
    Objects.requireNonNull(perSpender, "perSpender");
    Objects.requireNonNull(total, "total");
  }

  /** A scientist's budget {@code perScientist} within everyone's {@code total}. */
  public DatasetBudget(String key, PrivacyCost perScientist, PrivacyCost total) {
    this(key, perScientist, total, true);
  }

  /** The provider's budget: the provider's spends are bounded by the dataset's total alone. */
  public static DatasetBudget ofProvider(String key, PrivacyCost total) {
    return new DatasetBudget(key, total, total, false);
  }
}
