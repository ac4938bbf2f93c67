package dev.cleanroom.dp.ledger;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.service.sql.SqlDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The durable privacy budget ledger: what each scientist has spent on each dataset, charged before
 * any answer is released.
 *
 * <p>Invariant: for every (scientist, dataset), the charges recorded add up to no more than the budget
 * each of them was checked against, under any number of concurrent callers and processes and across
 * crashes. Charges compose by basic sequential composition: ε and δ each add up.
 *
 * <p>Amounts are kept as exact decimals with 12 places; a charge rounds up and a budget down, so ten
 * charges of ε 0.1 fit a budget of ε 1 and nothing rounds in the scientist's favour.
 */
public final class PrivacyLedger implements AutoCloseable {
  private static final String CHARGE_COLUMNS = "query_id, scientist, dataset, epsilon_pico, delta_pico,"
      + " remaining_epsilon_pico, remaining_delta_pico, description, charged_at_micros";

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
   * Charges a query to the scientist's budget on the dataset. Once this returns, the charge is durable
   * and the answer may be released. Charging a query id that was already charged returns that first
   * charge, marked {@link Charge#replayed()}, and charges nothing.
   *
   * @throws BudgetExhaustedException if the cost does not fit what is left; nothing is charged
   * @throws IllegalArgumentException if the query id was charged for a different scientist, dataset or cost
   * @throws LedgerException if the database failed; retry with the same query id
   */
  public Charge charge(ChargeRequest request) {
    ExactCost cost = ExactCost.ofCharge(request.cost());
    ExactCost budget = ExactCost.ofBudget(request.budget());
    String action = "charge query '" + request.queryId() + "' to " + request.scientist()
        + " on dataset '" + request.dataset() + "'";
    SqlDatabase.Work<Optional<Charge>> attempt = connection -> chargeOnce(connection, request, cost, budget);
    Optional<Charge> charge = database.write(action, attempt);
    if (charge.isEmpty()) {
      // Another account's transaction inserted this query id meanwhile (accounts lock separately on
      // PostgreSQL); a second attempt finds that row.
      charge = database.write(action, attempt);
    }
    return charge.orElseThrow(
        () -> new IllegalStateException("Query id '" + request.queryId() + "' was neither charged nor found"));
  }

  private Optional<Charge> chargeOnce(Connection connection, ChargeRequest request, ExactCost cost, ExactCost budget)
      throws SQLException {
    // The account's lock: no other charge to it reads the spent amount between this check and this insert.
    database.lockKey(connection, request.scientist(), request.dataset());
    Optional<Charge> earlier = find(connection, request.queryId());
    if (earlier.isPresent()) {
      return Optional.of(replay(earlier.get(), request, cost));
    }
    ExactCost spent = spent(connection, request.scientist(), request.dataset());
    ExactCost after = spent.plus(cost);
    if (!after.fitsWithin(budget)) {
      throw new BudgetExhaustedException(request, budget.minus(spent), cost);
    }
    ExactCost remaining = budget.minus(after);
    // Read under the account's lock, so an account's charges get their times in the order they commit.
    long chargedAt = Schema.micros(clock.instant());
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO privacy_charges (" + CHARGE_COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (query_id) DO NOTHING")) {
      insert.setString(1, request.queryId());
      insert.setString(2, request.scientist());
      insert.setString(3, request.dataset());
      insert.setLong(4, cost.epsilon());
      insert.setLong(5, cost.delta());
      insert.setLong(6, remaining.epsilon());
      insert.setLong(7, remaining.delta());
      insert.setString(8, request.description());
      insert.setLong(9, chargedAt);
      if (insert.executeUpdate() == 0) {
        return Optional.empty();
      }
    }
    return Optional.of(new Charge(request.queryId(), request.scientist(), request.dataset(), cost.toPrivacyCost(),
        remaining.toPrivacyCost(), request.description(), Schema.instant(chargedAt), false));
  }

  /**
   * A repeated query id must be the same query: answering another scientist's or another dataset's
   * query under an id that is already paid for would release it without charging anyone.
   */
  private static Charge replay(Charge earlier, ChargeRequest request, ExactCost cost) {
    // The same cost is the same rounded charge, or the very cost a charge reported: that double reads back
    // as its pico-units' decimal, which a charge would round up by one more pico-unit.
    boolean sameCost = earlier.cost().equals(cost.toPrivacyCost()) || earlier.cost().equals(request.cost());
    if (!earlier.scientist().equals(request.scientist()) || !earlier.dataset().equals(request.dataset()) || !sameCost) {
      throw new IllegalArgumentException("Query id '" + request.queryId() + "' was already charged to "
          + earlier.scientist() + " on dataset '" + earlier.dataset() + "' for "
          + ExactCost.ofBudget(earlier.cost()).describe(earlier.cost().delta() > 0)
          + "; give each query its own id");
    }
    return new Charge(earlier.queryId(), earlier.scientist(), earlier.dataset(), earlier.cost(),
        earlier.remaining(), earlier.description(), earlier.chargedAt(), true);
  }

  /** Everything the scientist has been charged on the dataset. */
  public PrivacyCost spent(String scientist, String dataset) {
    return spentExactly(scientist, dataset).toPrivacyCost();
  }

  /** What is left of {@code budget} for the scientist on the dataset, never below zero. */
  public PrivacyCost remaining(String scientist, String dataset, PrivacyCost budget) {
    return ExactCost.ofBudget(budget).minus(spentExactly(scientist, dataset)).toPrivacyCost();
  }

  private ExactCost spentExactly(String scientist, String dataset) {
    ChargeRequest.requireNotBlank(scientist, "scientist");
    ChargeRequest.requireNotBlank(dataset, "dataset");
    return database.read("read what " + scientist + " has spent on dataset '" + dataset + "'",
        connection -> spent(connection, scientist, dataset));
  }

  private static ExactCost spent(Connection connection, String scientist, String dataset) throws SQLException {
    try (PreparedStatement sum = connection.prepareStatement("SELECT COALESCE(SUM(epsilon_pico), 0),"
        + " COALESCE(SUM(delta_pico), 0) FROM privacy_charges WHERE scientist = ? AND dataset = ?")) {
      sum.setString(1, scientist);
      sum.setString(2, dataset);
      try (ResultSet result = sum.executeQuery()) {
        result.next();
        return new ExactCost(result.getLong(1), result.getLong(2));
      }
    }
  }

  /** Every charge on the dataset, oldest first: the data provider's audit view. */
  public List<Charge> charges(String dataset) {
    ChargeRequest.requireNotBlank(dataset, "dataset");
    return database.read("list the charges on dataset '" + dataset + "'", connection -> {
      try (PreparedStatement select = connection.prepareStatement("SELECT " + CHARGE_COLUMNS
          + " FROM privacy_charges WHERE dataset = ? ORDER BY charged_at_micros, query_id")) {
        select.setString(1, dataset);
        try (ResultSet result = select.executeQuery()) {
          List<Charge> charges = new ArrayList<>();
          while (result.next()) {
            charges.add(charge(result));
          }
          return charges;
        }
      }
    });
  }

  private static Optional<Charge> find(Connection connection, String queryId) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT " + CHARGE_COLUMNS + " FROM privacy_charges WHERE query_id = ?")) {
      select.setString(1, queryId);
      try (ResultSet result = select.executeQuery()) {
        return result.next() ? Optional.of(charge(result)) : Optional.empty();
      }
    }
  }

  private static Charge charge(ResultSet row) throws SQLException {
    return new Charge(row.getString(1), row.getString(2), row.getString(3),
        new ExactCost(row.getLong(4), row.getLong(5)).toPrivacyCost(),
        new ExactCost(row.getLong(6), row.getLong(7)).toPrivacyCost(),
        row.getString(8), Schema.instant(row.getLong(9)), false);
  }

  @Override
  public void close() {
    database.close();
  }
}
