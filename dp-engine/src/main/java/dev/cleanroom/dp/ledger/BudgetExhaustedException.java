package dev.cleanroom.dp.ledger;

import dev.cleanroom.dp.accounting.PrivacyCost;

/** A query would take a scientist past their budget, or everyone past the dataset's total; nothing was charged. */
public final class BudgetExhaustedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final PrivacyCost remaining;
  private final PrivacyCost requested;

  /** @param whose whose budget ran out, as the message says it: "alice has", "all users together have" */
  BudgetExhaustedException(ChargeRequest request, String whose, ExactCost remaining, ExactCost needed) {
    super(message(request, whose, remaining, needed));
    this.remaining = remaining.toPrivacyCost();
    this.requested = request.cost();
  }

  private static String message(ChargeRequest request, String whose, ExactCost remaining, ExactCost needed) {
    boolean withDelta = remaining.delta() > 0 || needed.delta() > 0;
    return "Budget exhausted: " + whose + " " + remaining.describe(withDelta)
        + " left on dataset '" + request.dataset() + "'; this query needs " + needed.describe(withDelta)
        + ". Ask for less, or ask the data provider for a larger budget.";
  }

  /** Stable across releases; the REST API and the CLI show it. */
  public String code() {
    return "budget_exhausted";
  }

  /** What is left of the budget, exactly as the ledger counts it. */
  public PrivacyCost remaining() {
    return remaining;
  }

  /** The cost the refused query asked for. */
  public PrivacyCost requested() {
    return requested;
  }
}
