package dev.cleanroom.dp.service.impl;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.client.BudgetStatus;
import dev.cleanroom.dp.client.DatasetInfo;
import dev.cleanroom.dp.client.DpClientException;
import dev.cleanroom.dp.client.EngineDpClient;
import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.ledger.Charge;
import dev.cleanroom.dp.ledger.LedgerException;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import dev.cleanroom.dp.service.DpQueryService;
import dev.cleanroom.dp.service.GroupedAnswers;
import dev.cleanroom.dp.service.QueryRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Serves each call through an {@link EngineDpClient} made for the caller, on a worker pool of its own
 * so that JDBC and OpenDP never run on an event loop.
 */
public final class DpQueryServiceImpl implements DpQueryService {
  /** Slack for comparing a group-by total with what is left: the ledger, in exact decimals, decides. */
  private static final double ROUNDING = 1e-12;

  private final PrivacyLedger ledger;
  private final List<ProvisionedDataset> datasets;
  private final Map<String, ProvisionedDataset> byName = new LinkedHashMap<>();
  private final WorkerExecutor workers;

  public DpQueryServiceImpl(Vertx vertx, PrivacyLedger ledger, List<ProvisionedDataset> datasets, int workers) {
    this.ledger = ledger;
    this.datasets = List.copyOf(datasets);
    for (ProvisionedDataset dataset : datasets) {
      if (byName.put(dataset.name(), dataset) != null) {
        throw new IllegalArgumentException("Dataset '" + dataset.name() + "' is served twice; give each one once");
      }
    }
    this.workers = vertx.createSharedWorkerExecutor("dp-query-service", workers);
  }

  private EngineDpClient client(String user) {
    return new EngineDpClient(user, ledger, datasets);
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return workers.executeBlocking(work, false);
  }

  @Override
  public Future<List<DatasetInfo>> datasets(String user) {
    return blocking(() -> client(user).datasets());
  }

  @Override
  public Future<BudgetStatus> budget(String user, String dataset) {
    return blocking(() -> client(user).budget(dataset));
  }

  @Override
  public Future<ChargedAnswer<?>> query(String user, String dataset, QueryRequest request) {
    return blocking(() -> {
      if (request.where().isEmpty()) {
        return client(user).query(dataset, request.query());
      }
      client(user).budget(dataset); // refuses an unknown or forbidden dataset before the filter is looked at
      return filtered(user, byName.get(dataset), request.where()).query(dataset, request.query());
    });
  }

  /** The caller's client over the rows matching {@code where}: same policy, same ledger, same rules. */
  private EngineDpClient filtered(String user, ProvisionedDataset dataset, Map<String, String> where) {
    ProvisionedDataset rows = new ProvisionedDataset(
        dataset.policy(), dataset.viewsDir(), RowFilter.apply(dataset.table(), where));
    return new EngineDpClient(user, ledger, List.of(rows));
  }

  @Override
  public Future<GroupedAnswers> queryGroups(String user, String dataset, QueryRequest request) {
    String column = request.groupBy().orElseThrow(() -> new IllegalArgumentException("not a group-by request"));
    return blocking(() -> {
      BudgetStatus budget = client(user).budget(dataset);
      ProvisionedDataset provisioned = byName.get(dataset);
      ColumnPolicy.Categorical groups = RowFilter.categorical(provisioned.policy(), column, "group by");
      if (request.where().containsKey(column)) {
        throw new DpClientException("invalid_request", 400, "Column '" + column
            + "' is both filtered and grouped by; drop it from 'where' to get every group");
      }
      RowFilter.check(provisioned.policy(), request.where());
      refuseUnaffordable(request.query(), groups, budget);
      Map<String, ChargedAnswer<?>> answers = new LinkedHashMap<>();
      PrivacyCost total = PrivacyCost.ZERO;
      PrivacyCost remaining = budget.remaining();
      for (String category : groups.categories()) {
        Map<String, String> where = new HashMap<>(request.where());
        where.put(column, category);
        ChargedAnswer<?> answer = filtered(user, provisioned, where).query(dataset, request.query());
        answers.put(category, answer);
        total = total.plus(answer.answer().cost());
        remaining = answer.remaining();
      }
      return new GroupedAnswers(column, answers, total, remaining);
    });
  }

  /**
   * Refuses, before any charge, a group-by whose groups together ask for more than is left, so that a
   * refused group-by costs nothing. Arguments the engine would refuse are left to it (it refuses them
   * before charging too). Two concurrent requests of one scientist can still both pass this check;
   * then the ledger refuses a later group, and the groups already charged stay charged, unanswered.
   */
  private static void refuseUnaffordable(DpQuery<?> query, ColumnPolicy.Categorical groups, BudgetStatus budget) {
    int count = groups.categories().size();
    double epsilon = query.epsilon() * count;
    double delta = query.delta() * count;
    boolean valid = query.epsilon() > 0 && Double.isFinite(epsilon) && query.delta() >= 0 && delta < 1;
    PrivacyCost left = budget.remaining();
    if (valid && (epsilon > left.epsilon() + ROUNDING || delta > left.delta() + ROUNDING)) {
      throw new DpClientException("budget_exhausted", 429, "Budget exhausted: grouping by '" + groups.name()
          + "' answers " + count + " groups, each charged in full, so this query needs "
          + new PrivacyCost(epsilon, delta) + " and " + left + " is left on dataset '" + budget.dataset()
          + "'. Ask for less per group, or filter with 'where' to the groups you need.", left);
    }
  }

  @Override
  public Future<String> view(String user, String dataset, String view) {
    return blocking(() -> client(user).view(dataset, view));
  }

  @Override
  public Future<List<Charge>> audit(String user, String dataset) {
    return blocking(() -> {
      ProvisionedDataset provisioned = byName.get(dataset);
      if (provisioned == null) {
        throw new DpClientException("unknown_dataset", 404, "No dataset '" + dataset + "' on this service");
      }
      if (!provisioned.policy().owner().equals(user)) {
        throw new DpClientException("not_permitted", 403, "Only the provider of dataset '" + dataset + "' ("
            + provisioned.policy().owner() + ") may read its audit log");
      }
      try {
        return ledger.charges(dataset);
      } catch (LedgerException e) {
        throw new DpClientException(e.code(), 503, e.getMessage());
      }
    });
  }

  @Override
  public List<String> datasetNames() {
    return List.copyOf(byName.keySet());
  }

  @Override
  public Future<Void> close() {
    return workers.close();
  }
}
