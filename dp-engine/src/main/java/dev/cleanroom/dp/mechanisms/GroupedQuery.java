package dev.cleanroom.dp.mechanisms;

import dev.cleanroom.dp.accounting.PrivacyCost;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One query prepared on each part of a table split by the declared categories of a column, whose
 * answers are released together under one charge.
 *
 * <p>Why one charge pays for every group (parallel composition): the parts are disjoint and the split
 * uses only public facts (the declared categories). Adding or removing one row changes at most one
 * part, by that row, and leaves every other part as it was. The mechanisms draw independent noise, so
 * the answers on the unchanged parts have the same distribution on both neighbouring tables, and the
 * privacy loss of the whole release is that of the one changed part's mechanism. That holds for pure,
 * approximate and zero-concentrated DP alike. So the release costs the largest of the parts' costs,
 * each being what OpenDP's privacy map gives for that part's mechanism; they are all the same, because
 * a mechanism's calibration depends on the policy, never on the rows.
 */
public final class GroupedQuery<T> implements AutoCloseable {
  private final String column;
  private final Map<String, PreparedQuery<T>> groups;
  private final PrivacyCost cost;

  GroupedQuery(String column, Map<String, PreparedQuery<T>> groups) {
    this.column = column;
    this.groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    PrivacyCost largest = PrivacyCost.ZERO;
    for (PreparedQuery<T> group : groups.values()) {
      largest = new PrivacyCost(Math.max(largest.epsilon(), group.cost().epsilon()),
          Math.max(largest.delta(), group.cost().delta()));
    }
    this.cost = largest;
  }

  /** The categorical column the rows are split by. */
  public String column() {
    return column;
  }

  /** What the whole release must be charged: the largest cost of one group's mechanism. */
  public PrivacyCost cost() {
    return cost;
  }

  /** The mechanism of each group (the same for all). */
  public String mechanism() {
    return groups.values().stream().findFirst().map(PreparedQuery::mechanism).orElse("none");
  }

  /** Runs every group's mechanism once, in the policy's order of the categories. Call only after the charge. */
  public Map<String, DpAnswer<T>> release() {
    Map<String, DpAnswer<T>> answers = new LinkedHashMap<>();
    groups.forEach((category, prepared) -> answers.put(category, prepared.release()));
    return Collections.unmodifiableMap(answers);
  }

  @Override
  public void close() {
    groups.values().forEach(PreparedQuery::close);
  }
}
