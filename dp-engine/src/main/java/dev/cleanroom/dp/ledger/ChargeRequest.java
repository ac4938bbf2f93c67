package dev.cleanroom.dp.ledger;

import dev.cleanroom.dp.accounting.PrivacyCost;
import java.util.Objects;

/**
 * A request to charge one spend (a scientist's query, or the provider's synthetic view or drafted policy)
 * to a dataset's budget.
 *
 * @param queryId names this spend; charging the same id again returns the first charge instead of
 *     charging twice, so a caller that retries after a failure uses the same id
 * @param scientist who spends: a scientist, or the dataset's provider for the views they make
 * @param dataset the name the dataset is served under, for the audit view
 * @param cost what answering the query spends
 * @param budget the spender's and everyone's budgets on the dataset, from the dataset's policy
 * @param description what the query was, for the provider's audit view
 */
public record ChargeRequest(
    String queryId, String scientist, String dataset, PrivacyCost cost, DatasetBudget budget, String description) {

  public ChargeRequest {
    requireNotBlank(queryId, "query id");
    requireNotBlank(scientist, "scientist");
    requireNotBlank(dataset, "dataset");
    Objects.requireNonNull(cost, "cost");
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(description, "description");
  }

  static void requireNotBlank(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("The " + what + " must not be blank");
    }
  }
}
