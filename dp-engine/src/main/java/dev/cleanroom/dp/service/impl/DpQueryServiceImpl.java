package dev.cleanroom.dp.service.impl;

import dev.cleanroom.dp.client.BudgetStatus;
import dev.cleanroom.dp.client.Caller;
import dev.cleanroom.dp.client.DatasetInfo;
import dev.cleanroom.dp.client.DpClientException;
import dev.cleanroom.dp.client.EngineDpClient;
import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.engine.GroupedAnswer;
import dev.cleanroom.dp.ledger.Charge;
import dev.cleanroom.dp.ledger.LedgerException;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import dev.cleanroom.dp.service.DpQueryService;
import dev.cleanroom.dp.service.QueryRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Serves each call through an {@link EngineDpClient} made for the caller, on a worker pool of its own
 * so that JDBC and OpenDP never run on an event loop.
 */
public final class DpQueryServiceImpl implements DpQueryService {
  private final PrivacyLedger ledger;
  private final List<ProvisionedDataset> datasets;
  private final Map<String, ProvisionedDataset> byName = new LinkedHashMap<>();
  /** The synthetic views as charged at start, served rather than the file (which provisioning may replace). */
  private final Map<String, String> chargedSynthetic = new HashMap<>();
  private final WorkerExecutor workers;

  /**
   * Holds each dataset's budgets in {@code ledger} and charges its provisioning spends (once: they are replays after
   * the first time) before serving anything, so a dataset's total counts what its views released.
   *
   * @throws IllegalArgumentException if two datasets have the same name or the same data (budget key)
   */
  public DpQueryServiceImpl(Vertx vertx, PrivacyLedger ledger, List<ProvisionedDataset> datasets, int workers)
      throws IOException {
    this.ledger = ledger;
    this.datasets = List.copyOf(datasets);
    Map<String, String> byBudgetKey = new HashMap<>();
    for (ProvisionedDataset dataset : datasets) {
      if (byName.put(dataset.name(), dataset) != null) {
        throw new IllegalArgumentException("Dataset '" + dataset.name() + "' is served twice; give each one once");
      }
      // Two names on the same data would be two policies on one budget: serve the data once, under one policy.
      String sameData = byBudgetKey.putIfAbsent(dataset.budgetKey(), dataset.name());
      if (sameData != null) {
        throw new IllegalArgumentException("Datasets '" + sameData + "' and '" + dataset.name() + "' are the same data"
            + " (" + dataset.budgetKey() + "); serve it once, under the one policy that should govern it");
      }
      dataset.adoptLegacyCharges(ledger);
      ledger.hold(dataset.scientistBudget());
      dataset.chargeProvisioning(ledger).ifPresent(view -> chargedSynthetic.put(dataset.name(), view));
    }
    this.workers = vertx.createSharedWorkerExecutor("dp-query-service", workers);
  }

  private EngineDpClient client(Caller user) {
    return new EngineDpClient(user, ledger, datasets, Optional.of(chargedSynthetic));
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return workers.executeBlocking(work, false);
  }

  @Override
  public Future<List<DatasetInfo>> datasets(Caller user) {
    return blocking(() -> client(user).datasets());
  }

  @Override
  public Future<BudgetStatus> budget(Caller user, String dataset) {
    return blocking(() -> client(user).budget(dataset));
  }

  @Override
  public Future<ChargedAnswer<?>> query(Caller user, String dataset, QueryRequest request) {
    return blocking(() -> client(user).query(dataset, request.query(), request.where()));
  }

  @Override
  public Future<GroupedAnswer<?>> queryByGroup(Caller user, String dataset, QueryRequest request) {
    String column = request.groupBy().orElseThrow(() -> new IllegalArgumentException("not a group-by request"));
    return blocking(() -> client(user).queryByGroup(dataset, request.query(), request.where(), column));
  }

  @Override
  public Future<String> view(Caller user, String dataset, String view) {
    return blocking(() -> client(user).view(dataset, view));
  }

  @Override
  public Future<List<Charge>> audit(Caller user, String dataset) {
    return blocking(() -> {
      ProvisionedDataset provisioned = byName.get(dataset);
      if (provisioned == null) {
        throw new DpClientException("unknown_dataset", 404, "No dataset '" + dataset + "' on this service");
      }
      if (!provisioned.policy().owner().equals(user.name())) {
        throw new DpClientException("not_permitted", 403, "Only the provider of dataset '" + dataset + "' ("
            + provisioned.policy().owner() + ") may read its audit log");
      }
      try {
        return ledger.charges(provisioned.budgetKey());
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
