package dev.cleanroom.dp.mechanisms;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.table.PrivateTable;
import java.util.Map;
import java.util.List;

/**
 * One query prepared for answering once per declared category of a column, all groups released
 * together under one charge: the same mechanism, run on each part of the rows with fresh noise.
 *
 * <p>Why one charge of one mechanism's cost pays for every group (parallel composition): the parts are
 * disjoint and the split uses only public facts (the declared categories). Adding or removing one row
 * changes at most one part, by that row, and leaves every other part as it was. The runs draw
 * independent noise, so the answers on the unchanged parts have the same distribution on both
 * neighbouring tables, and the privacy loss of the whole release is that of the one run on the changed
 * part. That holds for pure, approximate and zero-concentrated DP alike. A mechanism's calibration
 * depends on the policy, never on the rows, so every run costs what OpenDP's privacy map gives for it.
 */
public final class GroupedQuery<T> implements AutoCloseable {
  private final PreparedQuery<T> prepared;
  private final String column;

  GroupedQuery(PreparedQuery<T> prepared, String column) {
    this.prepared = prepared;
    this.column = column;
  }

  /** What the whole release must be charged: the cost of the mechanism on one group. */
  public PrivacyCost cost() {
    return prepared.cost();
  }

  /**
   * Splits {@code rows} by the declared categories of the column and runs the mechanism once on each
   * part, in the policy's order of the categories; then never again. Call only after the charge.
   */
  public Map<String, DpAnswer<T>> release(PrivateTable rows) {
    return prepared.releaseEach(RowFilter.split(rows, column), List.of());
  }

  /**
   * Runs the mechanism once on each group of {@code rows} (made by {@link RowFilter#partition} with this
   * query's column), and on each group's dropped rows and on the rows in no group with those answers
   * discarded, so that the work does not depend on which rows the filter keeps (see
   * {@link PreparedQuery#release(RowFilter.Partition)}).
   */
  public Map<String, DpAnswer<T>> release(RowFilter.Partition rows) {
    return prepared.releaseEach(rows.parts(), rows.rest());
  }

  /** The column whose declared categories make the groups. */
  public String column() {
    return column;
  }

  /**
   * Adds the mechanism's noise to each group's aggregates ({@code parts}, in the policy's order of the
   * categories), and to each of {@code rest} with those answers discarded (see
   * {@link #release(RowFilter.Partition)}). Call only after the charge.
   */
  public Map<String, DpAnswer<T>> releaseAggregated(Map<String, Aggregates> parts, List<Aggregates> rest) {
    return prepared.releaseEach(parts, rest, prepared.answerFromAggregates());
  }

  @Override
  public void close() {
    prepared.close();
  }
}
