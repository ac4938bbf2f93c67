package dev.cleanroom.kernel.sdk;

import dev.cleanroom.dp.mechanisms.DpQuery;
import java.util.Map;

/**
 * DP queries answered once per declared category of a categorical column, in the policy's order. Each
 * query costs what one group costs, whatever the number of groups: a row is in one group at most, so
 * adding or removing a row changes one group's answer only (parallel composition). Rows whose value is
 * not a declared category are in no group.
 *
 * <p>{@code Dcr.dataset("insurance").dp().where("smoker", "no").by("region").mean("charges", 0.5)}
 */
public final class DpGroups {
  private final DpQueries rows;
  private final String groupBy;

  DpGroups(DpQueries rows, String groupBy) {
    this.rows = rows;
    this.groupBy = groupBy;
  }

  /** Number of rows per group. */
  public Map<String, Long> count(double epsilon) {
    return ask(DpQuery.count(epsilon)).values();
  }

  /** Sum of a numeric column per group, each value clamped to its declared bounds. */
  public Map<String, Double> sum(String column, double epsilon) {
    return ask(DpQuery.sum(column, epsilon)).values();
  }

  public Map<String, Double> sum(String column, double epsilon, double delta) {
    return ask(new DpQuery.Sum(column, epsilon, delta)).values();
  }

  /** Mean of a numeric column per group. */
  public Map<String, Double> mean(String column, double epsilon) {
    return ask(DpQuery.mean(column, epsilon)).values();
  }

  public Map<String, Double> mean(String column, double epsilon, double delta) {
    return ask(new DpQuery.Mean(column, epsilon, delta)).values();
  }

  /** Count per declared category of another categorical column, per group. */
  public Map<String, Map<String, Long>> histogram(String column, double epsilon) {
    return ask(DpQuery.histogram(column, epsilon)).values();
  }

  /** The {@code alpha}-quantile of a numeric column per group (0.5 is the median). */
  public Map<String, Double> quantile(String column, double alpha, double epsilon) {
    return ask(new DpQuery.Quantile(column, alpha, epsilon)).values();
  }

  public Map<String, Double> median(String column, double epsilon) {
    return quantile(column, 0.5, epsilon);
  }

  /** Any DP query per group, with the whole answer; shown in the cell like the short forms. */
  public <T> DpGroupReceipt<T> ask(DpQuery<T> query) {
    return rows.askByGroup(query, groupBy);
  }

  @Override
  public String toString() {
    return "DP queries by " + groupBy;
  }
}
