package dev.cleanroom.dp.ledger;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.service.sql.SqlDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The durable privacy budget ledger: what each scientist (and each dataset's provider) has spent on each
 * dataset, charged before any answer is released.
 *
 * <p>Invariant: for every dataset's budget key, the charges recorded for each spender add up to no more
 * than the spender's budget each of them was checked against, and the charges of all spenders together
 * to no more than the dataset's total, under any number of concurrent callers and processes and across
 * crashes. The budgets of a key are the lowest any policy declared for it ({@link #hold}), so a second
 * policy on the same data cannot raise them. Charges compose by basic sequential composition: ε and δ each add up.
 *
 * <p>Amounts are kept as exact decimals with 12 places; a charge rounds up and a budget down, so ten
 * charges of ε 0.1 fit a budget of ε 1 and nothing rounds in the scientist's favour.
 */
public final class PrivacyLedger implements AutoCloseable {
  private static final String CHARGE_COLUMNS = "query_id, scientist, dataset, epsilon_pico, delta_pico,"
      + " remaining_epsilon_pico, remaining_delta_pico, description, charged_at_micros, budget_key";

  private final SqlDatabase database;
  private final Clock clock;

  private PrivacyLedger(SqlDatabase database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /**
   * Opens the ledger at {@code jdbcUrl}, {@code jdbc:sqlite:<file>} (the embedded default) or
   * {@code jdbc:postgresql://...}, creating or upgrading its tables.
   */
  public static PrivacyLedger open(String jdbcUrl) {
    return open(jdbcUrl, Clock.systemUTC());
  }

  /** As {@link #open(String)}, with the clock that timestamps charges. */
  public static PrivacyLedger open(String jdbcUrl, Clock clock) {
    SqlDatabase database = SqlDatabase.open("the privacy ledger", jdbcUrl, (action, shown, e) ->
        new LedgerException(action + " at " + shown, e.getMessage(),
            "Check that the database is reachable and writable (for SQLite, that the file's directory exists),"
                + " then retry.", e));
    try {
      Schema.migrate(database, clock);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
    return new PrivacyLedger(database, clock);
  }

  /**
   * Charges a query to the scientist's budget and to the dataset's total. Once this returns, the charge
   * is durable and the answer may be released. Charging a query id that was already charged returns that first
   * charge, marked {@link Charge#replayed()}, and charges nothing.
   *
   * @throws BudgetExhaustedException if the cost does not fit what is left of the spender's budget or of the
   *     dataset's total; nothing is charged
   * @throws IllegalArgumentException if the query id was charged for a different scientist, dataset or cost
   * @throws LedgerException if the database failed; retry with the same query id
   */
  public Charge charge(ChargeRequest request) {
    ExactCost cost = ExactCost.ofCharge(request.cost());
    String action = "charge query '" + request.queryId() + "' to " + request.scientist()
        + " on dataset '" + request.dataset() + "'";
    SqlDatabase.Work<Optional<Charge>> attempt = connection -> chargeOnce(connection, request, cost);
    Optional<Charge> charge = database.write(action, attempt);
    if (charge.isEmpty()) {
      // Another account's transaction inserted this query id meanwhile (accounts lock separately on
      // PostgreSQL); a second attempt finds that row.
      charge = database.write(action, attempt);
    }
    return charge.orElseThrow(
        () -> new IllegalStateException("Query id '" + request.queryId() + "' was neither charged nor found"));
  }

  private Optional<Charge> chargeOnce(Connection connection, ChargeRequest request, ExactCost cost)
      throws SQLException {
    DatasetBudget budget = request.budget();
    // The dataset's lock: no other charge to the dataset, by anyone, reads the spent amounts between this
    // check and this insert. Every account on a dataset is inside its total, so one lock covers both checks.
    database.lockKey(connection, "dataset budget", budget.key());
    Optional<Stored> earlier = find(connection, request.queryId());
    if (earlier.isPresent()) {
      return Optional.of(replay(earlier.get(), request, cost));
    }
    Held held = held(connection, budget, true);
    ExactCost perSpender = held.perSpender();
    ExactCost total = held.total();
    ExactCost spentBySpender = spent(connection, request.scientist(), budget.key());
    ExactCost spentByAll = spent(connection, null, budget.key());
    if (!spentBySpender.plus(cost).fitsWithin(perSpender)) {
      throw new BudgetExhaustedException(request, request.scientist() + " has", perSpender.minus(spentBySpender), cost);
    }
    if (!spentByAll.plus(cost).fitsWithin(total)) {
      throw new BudgetExhaustedException(request, "all users together have", total.minus(spentByAll), cost);
    }
    ExactCost remaining = perSpender.minus(spentBySpender.plus(cost)).least(total.minus(spentByAll.plus(cost)));
    // Read under the dataset's lock, so a dataset's charges get their times in the order they commit.
    long chargedAt = Schema.micros(clock.instant());
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO privacy_charges (" + CHARGE_COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (query_id) DO NOTHING")) {
      insert.setString(1, request.queryId());
      insert.setString(2, request.scientist());
      insert.setString(3, request.dataset());
      insert.setLong(4, cost.epsilon());
      insert.setLong(5, cost.delta());
      insert.setLong(6, remaining.epsilon());
      insert.setLong(7, remaining.delta());
      insert.setString(8, request.description());
      insert.setLong(9, chargedAt);
      insert.setString(10, budget.key());
      if (insert.executeUpdate() == 0) {
        return Optional.empty();
      }
    }
    return Optional.of(new Charge(request.queryId(), request.scientist(), request.dataset(), cost.toPrivacyCost(),
        remaining.toPrivacyCost(), request.description(), Schema.instant(chargedAt), false));
  }

  /**
   * Records {@code budget} as its key's budgets where it is lower than what the ledger holds (or the first), before
   * any charge: the budgets of the first policy served on the data bind every later charge on it.
   */
  public void hold(DatasetBudget budget) {
    database.write("hold the budgets of the dataset of budget key '" + budget.key() + "'", connection -> {
      database.lockKey(connection, "dataset budget", budget.key());
      return held(connection, budget, true);
    });
  }

  /**
   * Moves every charge recorded under budget key {@code from} to {@code to}, and merges the budgets held for
   * {@code from} into those of {@code to} (the lower of each wins), in one transaction; with nothing under
   * {@code from}, it does nothing. For a change of what keys a dataset's budget: the spends on the data keep
   * counting under its new key, and no policy's budgets are raised by the move.
   */
  public void moveCharges(String from, String to) {
    ChargeRequest.requireNotBlank(from, "budget key");
    ChargeRequest.requireNotBlank(to, "budget key");
    if (from.equals(to)) {
      return;
    }
    database.write("move the charges of budget key '" + from + "' to '" + to + "'", connection -> {
      // Both keys' locks, in one order for every caller, so two moves cannot wait on each other.
      database.lockKey(connection, "dataset budget", from.compareTo(to) < 0 ? from : to);
      database.lockKey(connection, "dataset budget", from.compareTo(to) < 0 ? to : from);
      try (PreparedStatement move = connection.prepareStatement(
          "UPDATE privacy_charges SET budget_key = ? WHERE budget_key = ?")) {
        move.setString(1, to);
        move.setString(2, from);
        move.executeUpdate();
      }
      Optional<DatasetBudget> held = heldBudget(connection, from, to);
      if (held.isPresent()) {
        held(connection, held.get(), true);
        try (PreparedStatement drop = connection.prepareStatement("DELETE FROM dataset_budgets WHERE budget_key = ?")) {
          drop.setString(1, from);
          drop.executeUpdate();
        }
      }
      return null;
    });
  }

  /** The budgets held for {@code key}, as a budget of {@code asKey}, if any policy has been held there. */
  private static Optional<DatasetBudget> heldBudget(Connection connection, String key, String asKey)
      throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT total_epsilon_pico, total_delta_pico,"
        + " per_scientist_epsilon_pico, per_scientist_delta_pico FROM dataset_budgets WHERE budget_key = ?")) {
      select.setString(1, key);
      try (ResultSet result = select.executeQuery()) {
        if (!result.next()) {
          return Optional.empty();
        }
        PrivacyCost total = new ExactCost(result.getLong(1), result.getLong(2)).toPrivacyCost();
        long epsilon = result.getLong(3);
        if (result.wasNull()) {
          return Optional.of(DatasetBudget.ofProvider(asKey, total));
        }
        return Optional.of(new DatasetBudget(asKey, new ExactCost(epsilon, result.getLong(4)).toPrivacyCost(), total));
      }
    }
  }

  /** What a charge on a budget key is checked against: its own spender's budget and everyone's total. */
  private record Held(ExactCost perSpender, ExactCost total) {}

  /**
   * The budgets a charge under {@code budget} is held to: the lower of the policy's and the lowest any policy
   * declared for the same key before, so serving the same data under a second name with a higher total (or a
   * provisioning with a raised one) never allows more than the first. With {@code record}, lowers what the ledger
   * holds to these; the caller holds the key's lock.
   */
  private static Held held(Connection connection, DatasetBudget budget, boolean record) throws SQLException {
    ExactCost total = ExactCost.ofBudget(budget.total());
    ExactCost perScientist = budget.scientists() ? ExactCost.ofBudget(budget.perSpender()) : null;
    boolean stored = false;
    try (PreparedStatement select = connection.prepareStatement("SELECT total_epsilon_pico, total_delta_pico,"
        + " per_scientist_epsilon_pico, per_scientist_delta_pico FROM dataset_budgets WHERE budget_key = ?")) {
      select.setString(1, budget.key());
      try (ResultSet result = select.executeQuery()) {
        if (result.next()) {
          stored = true;
          total = total.least(new ExactCost(result.getLong(1), result.getLong(2)));
          long epsilon = result.getLong(3);
          if (!result.wasNull()) {
            ExactCost storedPerScientist = new ExactCost(epsilon, result.getLong(4));
            perScientist = perScientist == null ? storedPerScientist : perScientist.least(storedPerScientist);
          }
        }
      }
    }
    if (record) {
      try (PreparedStatement write = connection.prepareStatement(stored
          ? "UPDATE dataset_budgets SET total_epsilon_pico = ?, total_delta_pico = ?, per_scientist_epsilon_pico = ?,"
              + " per_scientist_delta_pico = ? WHERE budget_key = ?"
          : "INSERT INTO dataset_budgets (total_epsilon_pico, total_delta_pico, per_scientist_epsilon_pico,"
              + " per_scientist_delta_pico, budget_key) VALUES (?, ?, ?, ?, ?)")) {
        write.setLong(1, total.epsilon());
        write.setLong(2, total.delta());
        write.setObject(3, perScientist == null ? null : perScientist.epsilon(), Types.BIGINT);
        write.setObject(4, perScientist == null ? null : perScientist.delta(), Types.BIGINT);
        write.setString(5, budget.key());
        write.executeUpdate();
      }
    }
    // A provider's own budget is the total; a scientist's is held to the lowest per-scientist budget.
    return new Held(budget.scientists() ? perScientist : total, total);
  }

  /**
   * A repeated query id must be the same query: answering another scientist's or another dataset's
   * query under an id that is already paid for would release it without charging anyone.
   */
  private static Charge replay(Stored earlier, ChargeRequest request, ExactCost cost) {
    Charge charge = earlier.charge();
    // The same cost is the same rounded charge, or the very cost a charge reported: that double reads back
    // as its pico-units' decimal, which a charge would round up by one more pico-unit.
    boolean sameCost = charge.cost().equals(cost.toPrivacyCost()) || charge.cost().equals(request.cost());
    if (!charge.scientist().equals(request.scientist()) || !charge.dataset().equals(request.dataset())
        || !earlier.budgetKey().equals(request.budget().key()) || !sameCost) {
      throw new IllegalArgumentException("Query id '" + request.queryId() + "' was already charged to "
          + charge.scientist() + " on dataset '" + charge.dataset() + "' for "
          + ExactCost.ofBudget(charge.cost()).describe(charge.cost().delta() > 0)
          + "; give each query its own id");
    }
    return new Charge(charge.queryId(), charge.scientist(), charge.dataset(), charge.cost(),
        charge.remaining(), charge.description(), charge.chargedAt(), true);
  }

  /** Everything {@code scientist} has been charged on the dataset whose budget key is {@code budgetKey}. */
  public PrivacyCost spent(String scientist, String budgetKey) {
    ChargeRequest.requireNotBlank(scientist, "scientist");
    return spentExactly(scientist, budgetKey).toPrivacyCost();
  }

  /** Everything every spender together has been charged on the dataset whose budget key is {@code budgetKey}. */
  public PrivacyCost spentByAll(String budgetKey) {
    return spentExactly(null, budgetKey).toPrivacyCost();
  }

  /**
   * What {@code scientist} may still spend on the dataset: the smaller of what is left of their own budget
   * and of the dataset's total, never below zero.
   */
  public PrivacyCost remaining(String scientist, DatasetBudget budget) {
    ChargeRequest.requireNotBlank(scientist, "scientist");
    return database.read("read what " + scientist + " may still spend on the dataset of budget key '" + budget.key()
        + "'", connection -> {
          Held held = held(connection, budget, false);
          ExactCost own = held.perSpender().minus(spent(connection, scientist, budget.key()));
          ExactCost all = held.total().minus(spent(connection, null, budget.key()));
          return own.least(all).toPrivacyCost();
        });
  }

  private ExactCost spentExactly(String scientist, String budgetKey) {
    ChargeRequest.requireNotBlank(budgetKey, "budget key");
    return database.read("read what " + (scientist == null ? "everyone" : scientist) + " has spent on the dataset of"
        + " budget key '" + budgetKey + "'", connection -> spent(connection, scientist, budgetKey));
  }

  /** The sum of the charges on {@code budgetKey}, of {@code scientist}'s alone unless it is null. */
  private static ExactCost spent(Connection connection, String scientist, String budgetKey) throws SQLException {
    try (PreparedStatement sum = connection.prepareStatement("SELECT COALESCE(SUM(epsilon_pico), 0),"
        + " COALESCE(SUM(delta_pico), 0) FROM privacy_charges WHERE budget_key = ?"
        + (scientist == null ? "" : " AND scientist = ?"))) {
      sum.setString(1, budgetKey);
      if (scientist != null) {
        sum.setString(2, scientist);
      }
      try (ResultSet result = sum.executeQuery()) {
        result.next();
        return new ExactCost(result.getLong(1), result.getLong(2));
      }
    }
  }

  /**
   * Every charge on the dataset whose budget key is {@code budgetKey}, under whatever name it was served,
   * oldest first: the data provider's audit view.
   */
  public List<Charge> charges(String budgetKey) {
    ChargeRequest.requireNotBlank(budgetKey, "budget key");
    return database.read("list the charges on the dataset of budget key '" + budgetKey + "'", connection -> {
      try (PreparedStatement select = connection.prepareStatement("SELECT " + CHARGE_COLUMNS
          + " FROM privacy_charges WHERE budget_key = ? ORDER BY charged_at_micros, query_id")) {
        select.setString(1, budgetKey);
        try (ResultSet result = select.executeQuery()) {
          List<Charge> charges = new ArrayList<>();
          while (result.next()) {
            charges.add(stored(result).charge());
          }
          return charges;
        }
      }
    });
  }

  /** A charge as stored, with the budget key it was charged to. */
  private record Stored(Charge charge, String budgetKey) {}

  private static Optional<Stored> find(Connection connection, String queryId) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT " + CHARGE_COLUMNS + " FROM privacy_charges WHERE query_id = ?")) {
      select.setString(1, queryId);
      try (ResultSet result = select.executeQuery()) {
        return result.next() ? Optional.of(stored(result)) : Optional.empty();
      }
    }
  }

  private static Stored stored(ResultSet row) throws SQLException {
    return new Stored(new Charge(row.getString(1), row.getString(2), row.getString(3),
        new ExactCost(row.getLong(4), row.getLong(5)).toPrivacyCost(),
        new ExactCost(row.getLong(6), row.getLong(7)).toPrivacyCost(),
        row.getString(8), Schema.instant(row.getLong(9)), false), row.getString(10));
  }

  @Override
  public void close() {
    database.close();
  }
}
