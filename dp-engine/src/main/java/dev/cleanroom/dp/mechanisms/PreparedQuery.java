package dev.cleanroom.dp.mechanisms;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.PrivateTable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.function.Function;

/**
 * A query whose mechanism is built and whose cost is known, but whose answer does not exist yet.
 *
 * <p>This split is what lets the engine charge the ledger before any answer exists, and before any row
 * is read: {@link #cost()} is read first, the charge is committed, and only then is {@link #release} called,
 * at most once, with the rows.
 */
public final class PreparedQuery<T> implements AutoCloseable {
  private final DpQuery<T> query;
  private final DatasetPolicy policy;
  private final PrivacyCost cost;
  private final String mechanism;
  private final Function<PrivateTable, DpAnswer<T>> answer;
  private final Function<Aggregates, DpAnswer<T>> answerFromAggregates;
  private final Handles handles;
  private boolean released;

  PreparedQuery(DpQuery<T> query, DatasetPolicy policy, PrivacyCost cost, String mechanism,
      Function<PrivateTable, DpAnswer<T>> answer, Function<Aggregates, DpAnswer<T>> answerFromAggregates,
      Handles handles) {
    this.query = query;
    this.policy = policy;
    this.cost = cost;
    this.mechanism = mechanism;
    this.answer = answer;
    this.answerFromAggregates = answerFromAggregates;
    this.handles = handles;
  }

  public DpQuery<T> query() {
    return query;
  }

  /** The (ε, δ) that OpenDP's privacy map gives for this mechanism: what must be charged. */
  public PrivacyCost cost() {
    return cost;
  }

  Function<Aggregates, DpAnswer<T>> answerFromAggregates() {
    return answerFromAggregates;
  }

  public String mechanism() {
    return mechanism;
  }

  /** Runs the mechanism on {@code rows} once. Call only after the cost has been charged. */
  public DpAnswer<T> release(PrivateTable rows) {
    return releaseEach(Map.of("", rows), List.of()).get("");
  }

  /**
   * Runs the mechanism once on the rows a filter kept ({@code rows.parts()}, one part), then on the rows it
   * dropped, whose answer is discarded. Call only after the cost has been charged.
   *
   * <p>Why the second run: a mechanism's work grows with the rows it reads (about 65 ns a row), so a
   * filter's subset alone would answer faster when it is small, and the time would tell its size for
   * almost no ε. Run on both sides, the work adds up to one run over every row, whichever rows the filter
   * keeps. The discarded answer is never released, so it costs no privacy.
   */
  public DpAnswer<T> release(RowFilter.Partition rows) {
    return releaseEach(rows.parts(), rows.rest()).get("");
  }

  /**
   * Adds the mechanism's noise to the aggregates of the rows a filter kept ({@code parts}, one part named
   * ""), then to those of each of {@code rest}, with those answers discarded, as
   * {@link #release(RowFilter.Partition)} does for rows in the heap. Call only after the cost has been charged.
   */
  public DpAnswer<T> releaseAggregated(Map<String, Aggregates> parts, List<Aggregates> rest) {
    return releaseEach(parts, rest, answerFromAggregates).get("");
  }

  <K> Map<K, DpAnswer<T>> releaseEach(Map<K, PrivateTable> parts, List<PrivateTable> rest) {
    parts.values().forEach(rows -> {
      if (!rows.policy().equals(policy)) {
        throw new IllegalArgumentException("The rows are under the policy of '" + rows.policy().dataset()
            + "', not the one this query was prepared for ('" + policy.dataset() + "')");
      }
    });
    return releaseEach(parts, rest, answer);
  }

  /**
   * Runs the mechanism once on each of {@code parts}, with fresh noise each time, then on each of
   * {@code rest} with the answers discarded (see {@link #release(RowFilter.Partition)}), and then never again.
   * Sound under one charge only when the parts are disjoint (see {@link GroupedQuery}).
   */
  synchronized <K, R> Map<K, DpAnswer<T>> releaseEach(Map<K, R> parts, List<R> rest, Function<R, DpAnswer<T>> run) {
    if (released) {
      throw new IllegalStateException("A prepared query releases once only; prepare it again for another answer");
    }
    released = true;
    try {
      Map<K, DpAnswer<T>> answers = new LinkedHashMap<>();
      parts.forEach((key, rows) -> answers.put(key, run.apply(rows)));
      rest.forEach(run::apply);
      return Collections.unmodifiableMap(answers);
    } finally {
      handles.close();
    }
  }

  @Override
  public synchronized void close() {
    released = true;
    handles.close();
  }
}
