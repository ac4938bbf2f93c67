package dev.cleanroom.dp.service;

import dev.cleanroom.dp.client.BudgetStatus;
import dev.cleanroom.dp.client.Caller;
import dev.cleanroom.dp.client.DatasetInfo;
import dev.cleanroom.dp.client.DpClientException;
import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.engine.GroupedAnswer;
import dev.cleanroom.dp.ledger.Charge;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import dev.cleanroom.dp.service.impl.DpQueryServiceImpl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.List;

/**
 * What the DP query service does for an authenticated user, without HTTP: the HTTP layer
 * ({@link DpQueryServer}) only maps requests to these calls and results to JSON.
 *
 * <p>Every call runs off the event loop (the ledger is JDBC, the mechanisms are native) and fails with
 * a {@link DpClientException} whose code and HTTP status are what the API answers. The access rules are
 * {@link dev.cleanroom.dp.client.EngineDpClient}'s, made for the caller on each call; only the audit
 * rule (the provider alone reads a dataset's charges) is here.
 */
public interface DpQueryService {
  /** Worker threads for ledger and OpenDP calls: SQLite serialises charges anyway, PostgreSQL locks per account. */
  int DEFAULT_WORKERS = 8;

  /**
   * Serves {@code datasets}, after charging what each one's provisioning spent to {@code ledger} (once).
   *
   * @throws IOException if a views folder's record cannot be read
   * @throws IllegalStateException if a dataset's recorded spends do not fit its total in this ledger
   */
  static DpQueryService create(Vertx vertx, PrivacyLedger ledger, List<ProvisionedDataset> datasets)
      throws IOException {
    return new DpQueryServiceImpl(vertx, ledger, datasets, DEFAULT_WORKERS);
  }

  Future<List<DatasetInfo>> datasets(Caller user);

  Future<BudgetStatus> budget(Caller user, String dataset);

  /** Answers a query, charged to {@code user} before the answer exists. */
  Future<ChargedAnswer<?>> query(Caller user, String dataset, QueryRequest request);

  /**
   * Answers a query once per declared category of {@code request.groupBy()}, under one charge of one
   * group's cost: the groups are disjoint (parallel composition).
   */
  Future<GroupedAnswer<?>> queryByGroup(Caller user, String dataset, QueryRequest request);

  /** A stage-1 row view ({@code synthetic} or {@code mock}) as CSV text. */
  Future<String> view(Caller user, String dataset, String view);

  /** Every charge on the dataset, oldest first; for the dataset's provider (its policy's owner) only. */
  Future<List<Charge>> audit(Caller user, String dataset);

  /** The names of the datasets served, for the start-up line. */
  List<String> datasetNames();

  Future<Void> close();
}
