package dev.cleanroom.dp.engine;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.mechanisms.DpAnswer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One released answer per declared category of a column, all paid for by one charge (parallel
 * composition: the groups are disjoint).
 *
 * @param queryId the id the one charge was recorded under
 * @param column the categorical column the rows were grouped by
 * @param groups the answers in the order the policy declares the categories; each answer's cost is that of
 *     the one charge (the same mechanism ran on each group), so the costs are not to be added up
 * @param cost what the charge was: one group's cost, not the sum over groups
 * @param remaining the scientist's budget left on the dataset after the charge
 */
public record GroupedAnswer<T>(
    String queryId, String column, Map<String, DpAnswer<T>> groups, PrivacyCost cost, PrivacyCost remaining) {
  public GroupedAnswer {
    groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
  }
}
