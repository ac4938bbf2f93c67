package dev.cleanroom.dp.client;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.engine.DpQueryEngine;
import dev.cleanroom.dp.engine.GroupedAnswer;
import dev.cleanroom.dp.ledger.BudgetExhaustedException;
import dev.cleanroom.dp.ledger.LedgerException;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.mechanisms.QueryRejectedException;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.View;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The stage-1 contract served from the engine in this process, for one caller. This is where the
 * access rules live — only scientists use datasets, and only those a dataset's policy admits; which views
 * are on — and the DP query service answers each HTTP request through one of these, so both paths
 * enforce the same rules.
 *
 * <p>Every failure is a {@link DpClientException} with the code and HTTP status the service sends.
 */
public final class EngineDpClient implements DpClient {
  private final Caller caller;
  private final String scientist;
  private final PrivacyLedger ledger;
  private final Map<String, ProvisionedDataset> datasets = new LinkedHashMap<>();
  private final Map<String, DpQueryEngine> engines = new LinkedHashMap<>();

  /** The synthetic views whose spends the service charged, by dataset; empty: read from the views folder. */
  private final Optional<Map<String, String>> chargedSynthetic;

  /** A client that reads each view from its dataset's views folder when asked (in-process use). */
  public EngineDpClient(Caller caller, PrivacyLedger ledger, List<ProvisionedDataset> datasets) {
    this(caller, ledger, datasets, Optional.empty());
  }

  /**
   * A client that serves as the synthetic view of a dataset only the text in {@code chargedSynthetic}, the view whose
   * spend was charged ({@link ProvisionedDataset#chargeProvisioning}), never a synthetic.csv made since.
   */
  public EngineDpClient(Caller caller, PrivacyLedger ledger, List<ProvisionedDataset> datasets,
      Optional<Map<String, String>> chargedSynthetic) {
    this.chargedSynthetic = chargedSynthetic;
    this.caller = caller;
    this.scientist = caller.name();
    this.ledger = ledger;
    for (ProvisionedDataset dataset : datasets) {
      this.datasets.put(dataset.name(), dataset);
      this.engines.put(dataset.name(), new DpQueryEngine(dataset.rows(), dataset.budgetKey(), ledger));
    }
  }

  @Override
  public List<DatasetInfo> datasets() {
    if (!caller.scientist()) {
      return List.of();
    }
    return datasets.values().stream()
        .map(ProvisionedDataset::policy)
        .filter(policy -> policy.admits(scientist))
        .map(DatasetInfo::of)
        .toList();
  }

  @Override
  public BudgetStatus budget(String dataset) {
    ProvisionedDataset provisioned = admitted(dataset);
    DatasetPolicy policy = provisioned.policy();
    PrivacyCost spent = ledger(() -> ledger.spent(scientist, provisioned.budgetKey()));
    // What is left as the ledger computes it (exact pico-units), not a subtraction of doubles.
    return new BudgetStatus(dataset, policy.budgetPerScientist(), spent,
        ledger(() -> ledger.remaining(scientist, provisioned.scientistBudget())));
  }

  @Override
  public <T> ChargedAnswer<T> query(String dataset, DpQuery<T> query, Map<String, String> where) {
    DpQueryEngine engine = engineAnsweringQueries(dataset);
    return answered(() -> engine.answer(scientist, UUID.randomUUID().toString(), query, where));
  }

  @Override
  public <T> GroupedAnswer<T> queryByGroup(String dataset, DpQuery<T> query, Map<String, String> where, String groupBy) {
    DpQueryEngine engine = engineAnsweringQueries(dataset);
    return answered(() -> engine.answerByGroup(scientist, UUID.randomUUID().toString(), query, where, groupBy));
  }

  private DpQueryEngine engineAnsweringQueries(String dataset) {
    ProvisionedDataset provisioned = admitted(dataset);
    if (!provisioned.policy().allows(View.DP_QUERY)) {
      throw new DpClientException("view_not_available", 403,
          "Dataset '" + dataset + "' does not answer DP queries; its provider turned on: " + viewList(provisioned));
    }
    return engines.get(dataset);
  }

  private static <T> T answered(LedgerCall<T> call) {
    try {
      return ledger(call);
    } catch (QueryRejectedException e) {
      throw new DpClientException(e.code(), e.code().equals("query_id_reused") ? 409 : 400, e.getMessage());
    } catch (BudgetExhaustedException e) {
      throw new DpClientException(e.code(), 429, e.getMessage(), e.remaining());
    }
  }

  @Override
  public String view(String dataset, String view) {
    ProvisionedDataset provisioned = admitted(dataset);
    Optional<View> known = View.byId(view);
    Supplier<DpClientException> notAvailable = () -> new DpClientException("view_not_available", 404, "Dataset '"
        + dataset + "' has no " + view + " view; its provider turned on: " + viewList(provisioned));
    if (known.equals(Optional.of(View.SYNTHETIC)) && chargedSynthetic.isPresent()) {
      return Optional.ofNullable(chargedSynthetic.get().get(dataset)).orElseThrow(notAvailable);
    }
    Path file = known.flatMap(provisioned::viewFile).orElseThrow(notAvailable);
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Tried to read the " + view + " view of '" + dataset + "' but failed", e);
    }
  }

  private ProvisionedDataset admitted(String dataset) {
    ProvisionedDataset provisioned = datasets.get(dataset);
    if (provisioned == null) {
      throw new DpClientException("unknown_dataset", 404, "No dataset '" + dataset + "'; available to " + scientist
          + ": " + String.join(", ", datasets().stream().map(DatasetInfo::name).toList()));
    }
    if (!caller.scientist()) {
      throw new DpClientException("not_permitted", 403, scientist + " is not a scientist here: only scientists use"
          + " datasets in stage 1; ask the clean room's administrator for the scientist role if you should");
    }
    if (!provisioned.policy().admits(scientist)) {
      throw new DpClientException("not_permitted", 403, scientist + " may not use dataset '" + dataset
          + "'; ask its provider (" + provisioned.policy().owner() + ") to add you to its policy");
    }
    return provisioned;
  }

  private static String viewList(ProvisionedDataset dataset) {
    return String.join(", ", dataset.policy().views().stream().map(View::id).toList());
  }

  private interface LedgerCall<T> {
    T run();
  }

  private static <T> T ledger(LedgerCall<T> call) {
    try {
      return call.run();
    } catch (LedgerException e) {
      throw new DpClientException(e.code(), 503, e.getMessage());
    }
  }
}
