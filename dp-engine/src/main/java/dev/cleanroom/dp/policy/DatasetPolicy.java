package dev.cleanroom.dp.policy;

import dev.cleanroom.dp.accounting.PrivacyCost;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A provider's rules for one dataset in the programming stage: its declared columns, each scientist's
 * privacy budget, the cap on a single query, and how invalid values are handled.
 */
public record DatasetPolicy(
    String dataset,
    List<ColumnPolicy> columns,
    PrivacyCost budgetPerScientist,
    PrivacyCost maxPerQuery,
    InvalidValues invalidValues) {

  public DatasetPolicy {
    if (dataset == null || !dataset.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
      throw new IllegalArgumentException(
          "A dataset name is 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit; got '"
              + dataset + "'");
    }
    columns = List.copyOf(columns);
    if (columns.stream().map(ColumnPolicy::name).distinct().count() != columns.size()) {
      throw new IllegalArgumentException("Dataset '" + dataset + "' declares a column twice");
    }
    if (!maxPerQuery.fitsWithin(budgetPerScientist)) {
      throw new IllegalArgumentException(
          "Dataset '" + dataset + "': the per-query cap (" + maxPerQuery + ") exceeds the budget per scientist ("
              + budgetPerScientist + ")");
    }
  }

  public Optional<ColumnPolicy> column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  public String columnNames() {
    return columns.stream().map(ColumnPolicy::name).collect(Collectors.joining(", "));
  }
}
