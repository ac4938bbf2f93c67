package dev.cleanroom.dp.engine;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.ledger.Charge;
import dev.cleanroom.dp.ledger.ChargeRequest;
import dev.cleanroom.dp.ledger.DatasetBudget;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.mechanisms.GroupedQuery;
import dev.cleanroom.dp.mechanisms.Mechanisms;
import dev.cleanroom.dp.mechanisms.PreparedQuery;
import dev.cleanroom.dp.mechanisms.QueryRejectedException;
import dev.cleanroom.dp.mechanisms.RowFilter;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.source.HeapRows;
import dev.cleanroom.dp.source.RowSource;
import dev.cleanroom.dp.table.PrivateTable;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Answers DP queries on one dataset, paying for each in the ledger first.
 *
 * <p><b>Invariant:</b> an answer exists only after its charge is durably committed, and each charge
 * pays for at most one release: one answer, or one answer per group of a group-by. The order is: check
 * the query and build the mechanism from the policy alone (refusals cost nothing and read no row),
 * charge the (ε, δ) that OpenDP's privacy map gives, then read the rows and run the mechanism once. A
 * crash after the charge and before the answer leaves a charge with no answer, which is safe; the
 * reverse cannot happen.
 *
 * <p>Timing: a query's mechanism runs on the rows its filter keeps and again, answer discarded, on the rows
 * it drops (in DuckDB: one aggregate over every row, grouped by kept or dropped), so the work is one pass over
 * every row whatever the filter keeps; and every query costs at least
 * the policy's minimum ε, so timing queries is never free. The time is not noised.
 */
public final class DpQueryEngine {
  private final RowSource rows;
  private final DatasetPolicy policy;
  private final Mechanisms mechanisms;
  private final PrivacyLedger ledger;
  private final DatasetBudget budget;

  /** @param budgetKey what the dataset's budget belongs to in the ledger (see {@link DatasetBudget#key()}) */
  public DpQueryEngine(PrivateTable table, String budgetKey, PrivacyLedger ledger) {
    this(new HeapRows(table), budgetKey, ledger);
  }

  /** Answers from {@code rows} wherever they live (see {@link RowSource}). */
  public DpQueryEngine(RowSource rows, String budgetKey, PrivacyLedger ledger) {
    this.rows = rows;
    this.policy = rows.policy();
    this.mechanisms = new Mechanisms(policy);
    this.ledger = ledger;
    this.budget = new DatasetBudget(budgetKey, policy.budgetPerScientist(), policy.datasetTotal());
  }

  public String dataset() {
    return policy.dataset();
  }

  /** Answers a query on all rows under a fresh query id. */
  public <T> ChargedAnswer<T> answer(String scientist, DpQuery<T> query) {
    return answer(scientist, UUID.randomUUID().toString(), query, Map.of());
  }

  /** Answers a query on all rows charged under {@code queryId}. */
  public <T> ChargedAnswer<T> answer(String scientist, String queryId, DpQuery<T> query) {
    return answer(scientist, queryId, query, Map.of());
  }

  /**
   * Answers a query on the rows whose categorical columns equal the declared categories in
   * {@code where}, charged under {@code queryId}. An id that was charged before is refused rather
   * than answered again: a second answer with fresh noise under one charge would leak privacy.
   */
  public <T> ChargedAnswer<T> answer(String scientist, String queryId, DpQuery<T> query, Map<String, String> where) {
    RowFilter.check(policy, where);
    try (PreparedQuery<T> prepared = mechanisms.prepare(query)) {
      PrivacyCost remaining = charge(scientist, queryId, prepared.cost(), RowFilter.describe(query, where, Optional.empty()));
      return new ChargedAnswer<>(queryId, rows.release(prepared, where), remaining);
    }
  }

  /**
   * Answers a query once per declared category of {@code column}, on the rows {@code where} keeps, under
   * one charge of one group's cost (see {@link dev.cleanroom.dp.mechanisms.GroupedQuery} for why).
   */
  public <T> GroupedAnswer<T> answerByGroup(
      String scientist, String queryId, DpQuery<T> query, Map<String, String> where, String column) {
    try (GroupedQuery<T> prepared = mechanisms.prepareByGroup(query, where, column)) {
      PrivacyCost remaining = charge(scientist, queryId, prepared.cost(),
          RowFilter.describe(query, where, Optional.of(column)));
      return new GroupedAnswer<>(queryId, column, rows.releaseByGroup(prepared, where), prepared.cost(), remaining);
    }
  }

  private PrivacyCost charge(String scientist, String queryId, PrivacyCost cost, String description) {
    Charge charge;
    try {
      charge = ledger.charge(new ChargeRequest(
          queryId, scientist, policy.dataset(), cost, budget, description));
    } catch (IllegalArgumentException e) { // the id was charged for another query
      throw new QueryRejectedException("query_id_reused", e.getMessage());
    }
    if (charge.replayed()) {
      throw new QueryRejectedException("query_id_reused",
          "Query id '" + queryId + "' was already charged; send a new id to ask again (and pay again)");
    }
    return charge.remaining();
  }

  /** What the scientist may still spend: the smaller of their own budget's rest and the dataset total's. */
  public PrivacyCost remaining(String scientist) {
    return ledger.remaining(scientist, budget);
  }
}
