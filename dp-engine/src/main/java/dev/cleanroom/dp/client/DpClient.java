package dev.cleanroom.dp.client;

import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.mechanisms.DpQuery;
import java.util.List;

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

  /** Asks a DP query; the answer comes back only after its cost was charged. */
  <T> ChargedAnswer<T> query(String dataset, DpQuery<T> query);

  /**
   * A stage-1 view as CSV text: {@code synthetic} or {@code mock}, whichever the provider's policy
   * turned on. Fails with {@link DpClientException} code {@code view_not_available} otherwise.
   */
  String view(String dataset, String view);
}
