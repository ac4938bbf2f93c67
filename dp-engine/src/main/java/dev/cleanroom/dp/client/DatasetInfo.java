package dev.cleanroom.dp.client;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.policy.ColumnPolicy;
import java.util.List;

/**
 * What a scientist may know about a dataset: its public schema and the rules of its stage-1 views.
 *
 * @param views the stage-1 views the provider turned on: {@code dp-query}, {@code synthetic}, {@code mock}
 */
public record DatasetInfo(
    String name,
    String owner,
    String description,
    List<String> views,
    List<ColumnPolicy> columns,
    PrivacyCost budgetPerScientist,
    PrivacyCost maxPerQuery) {

  public DatasetInfo {
    views = List.copyOf(views);
    columns = List.copyOf(columns);
  }
}
