package dev.cleanroom.dp.service;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.engine.ChargedAnswer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One answer per declared category of a categorical column, each charged on its own.
 *
 * @param groups the answers in the order the policy declares the categories
 * @param cost what all groups cost together
 * @param remaining the budget left after the last group's charge
 */
public record GroupedAnswers(
    String column, Map<String, ChargedAnswer<?>> groups, PrivacyCost cost, PrivacyCost remaining) {
  public GroupedAnswers {
    groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
  }
}
