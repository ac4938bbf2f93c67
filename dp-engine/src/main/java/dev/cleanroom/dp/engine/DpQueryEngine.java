package dev.cleanroom.dp.engine;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.ledger.Charge;
import dev.cleanroom.dp.ledger.ChargeRequest;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.mechanisms.Mechanisms;
import dev.cleanroom.dp.mechanisms.PreparedQuery;
import dev.cleanroom.dp.mechanisms.QueryRejectedException;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.PrivateTable;
import java.util.UUID;

/**
 * Answers DP queries on one dataset, paying for each in the ledger first.
 *
 * <p><b>Invariant:</b> an answer exists only after its charge is durably committed, and each charge
 * pays for at most one answer. The order is: check and build the mechanism (rejections cost nothing),
 * charge the (ε, δ) that OpenDP's privacy map gives, then run the mechanism once. A crash after the
 * charge and before the answer leaves a charge with no answer, which is safe; the reverse cannot happen.
 */
public final class DpQueryEngine {
  private final Mechanisms mechanisms;
  private final DatasetPolicy policy;
  private final PrivacyLedger ledger;

  public DpQueryEngine(PrivateTable table, PrivacyLedger ledger) {
    this.mechanisms = new Mechanisms(table);
    this.policy = table.policy();
    this.ledger = ledger;
  }

  public String dataset() {
    return policy.dataset();
  }

  /** Answers a query under a fresh query id. */
  public <T> ChargedAnswer<T> answer(String scientist, DpQuery<T> query) {
    return answer(scientist, UUID.randomUUID().toString(), query);
  }

  /**
   * Answers a query charged under {@code queryId}. An id that was charged before is refused rather
   * than answered again: a second answer with fresh noise under one charge would leak privacy.
   */
  public <T> ChargedAnswer<T> answer(String scientist, String queryId, DpQuery<T> query) {
    try (PreparedQuery<T> prepared = mechanisms.prepare(query)) {
      Charge charge = ledger.charge(new ChargeRequest(
          queryId, scientist, policy.dataset(), prepared.cost(), policy.budgetPerScientist(), query.describe()));
      if (charge.replayed()) {
        throw new QueryRejectedException("query_id_reused",
            "Query id '" + queryId + "' was already charged; send a new id to ask again (and pay again)");
      }
      return new ChargedAnswer<>(queryId, prepared.release(), charge.remaining());
    }
  }

  public PrivacyCost remaining(String scientist) {
    return ledger.remaining(scientist, policy.dataset(), policy.budgetPerScientist());
  }

  public PrivacyCost budget() {
    return policy.budgetPerScientist();
  }
}
