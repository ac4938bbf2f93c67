package dev.cleanroom.dp.client;

import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.engine.GroupedAnswer;
import dev.cleanroom.dp.mechanisms.DpQuery;
import java.util.List;
import java.util.Map;

/**
 * What a data scientist's code may ask of the stage-1 DP side: which datasets it may use, its budget
 * on each, DP answers, and the stage-1 views (synthetic or mock CSV) the provider allows. Never rows of
 * the real data.
 *
 * <p>The notebook SDK uses the HTTP implementation against the DP query service; the engine-backed
 * one serves the same contract inside one process (tests, single-user tools).
 */
public interface DpClient {
  /** The datasets this scientist may use. */
  List<DatasetInfo> datasets();

  /** This scientist's budget on a dataset: total, spent, left. */
  BudgetStatus budget(String dataset);

  /** Asks a DP query on all rows; the answer comes back only after its cost was charged. */
  default <T> ChargedAnswer<T> query(String dataset, DpQuery<T> query) {
    return query(dataset, query, Map.of());
  }

  /**
   * Asks a DP query on the rows whose categorical columns equal the declared categories in
   * {@code where} (column → category). The filter is public, so it does not change what the query costs.
   */
  <T> ChargedAnswer<T> query(String dataset, DpQuery<T> query, Map<String, String> where);

  /**
   * Asks a DP query once per declared category of the categorical column {@code groupBy}, on the rows
   * {@code where} keeps. The groups are disjoint, so one charge of one group's cost pays for all of them.
   */
  <T> GroupedAnswer<T> queryByGroup(String dataset, DpQuery<T> query, Map<String, String> where, String groupBy);

  /**
   * A stage-1 view as CSV text: {@code synthetic} or {@code mock}, whichever the provider's policy
   * turned on. Fails with {@link DpClientException} code {@code view_not_available} otherwise.
   */
  String view(String dataset, String view);
}
