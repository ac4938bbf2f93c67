package dev.cleanroom.dp.client;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.View;
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

  /** The public part of a provider's policy. */
  public static DatasetInfo of(DatasetPolicy policy) {
    return new DatasetInfo(policy.dataset(), policy.owner(), policy.description(),
        policy.views().stream().map(View::id).toList(), policy.visibleColumns(), policy.budgetPerScientist(),
        policy.maxPerQuery());
  }
}
