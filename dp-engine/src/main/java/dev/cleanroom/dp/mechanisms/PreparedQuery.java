package dev.cleanroom.dp.mechanisms;

import dev.cleanroom.dp.accounting.PrivacyCost;
import java.util.function.Supplier;

/**
 * A query whose mechanism is built and whose cost is known, but whose answer does not exist yet.
 *
 * <p>This split is what lets the engine charge the ledger before any answer exists: {@link #cost()}
 * is read first, the charge is committed, and only then is {@link #release()} called, at most once.
 */
public final class PreparedQuery<T> implements AutoCloseable {
  private final DpQuery<T> query;
  private final PrivacyCost cost;
  private final String mechanism;
  private final Supplier<DpAnswer<T>> answer;
  private final Handles handles;
  private boolean released;

  PreparedQuery(DpQuery<T> query, PrivacyCost cost, String mechanism, Supplier<DpAnswer<T>> answer, Handles handles) {
    this.query = query;
    this.cost = cost;
    this.mechanism = mechanism;
    this.answer = answer;
    this.handles = handles;
  }

  public DpQuery<T> query() {
    return query;
  }

  /** The (ε, δ) that OpenDP's privacy map gives for this mechanism: what must be charged. */
  public PrivacyCost cost() {
    return cost;
  }

  public String mechanism() {
    return mechanism;
  }

  /** Runs the mechanism on the real data once. Call only after the cost has been charged. */
  public synchronized DpAnswer<T> release() {
    if (released) {
      throw new IllegalStateException("A prepared query releases one answer only; prepare it again for another");
    }
    released = true;
    try {
      return answer.get();
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
