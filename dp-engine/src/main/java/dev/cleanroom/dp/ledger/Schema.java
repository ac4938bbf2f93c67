package dev.cleanroom.dp.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The ledger's tables, created and upgraded by numbered migrations, each applied once and recorded
 * in {@code privacy_ledger_migrations}. The SQL is the same on SQLite and PostgreSQL.
 *
 * <p>Amounts are BIGINT pico-units (see {@link ExactCost}); times are microseconds since the epoch,
 * the precision both databases keep. A charge row also keeps what was left after it, so the audit
 * view and a replayed charge tell the same story as the original answer.
 */
final class Schema {
  private record Migration(int version, String description, List<String> statements) {}

  private static final List<Migration> MIGRATIONS = List.of(
      new Migration(1, "charges", List.of(
          """
          CREATE TABLE privacy_charges (
            query_id TEXT PRIMARY KEY,
            scientist TEXT NOT NULL,
            dataset TEXT NOT NULL,
            epsilon_pico BIGINT NOT NULL CHECK (epsilon_pico >= 0),
            delta_pico BIGINT NOT NULL CHECK (delta_pico >= 0),
            remaining_epsilon_pico BIGINT NOT NULL,
            remaining_delta_pico BIGINT NOT NULL,
            description TEXT NOT NULL,
            charged_at_micros BIGINT NOT NULL
          )""",
          "CREATE INDEX privacy_charges_by_account ON privacy_charges (scientist, dataset)",
          "CREATE INDEX privacy_charges_by_dataset ON privacy_charges (dataset, charged_at_micros)")));

  static final int LATEST = MIGRATIONS.get(MIGRATIONS.size() - 1).version();

  private Schema() {}

  /** Brings the ledger's tables up to {@link #LATEST}; several processes may do this at once. */
  static void migrate(Database database, Clock clock) {
    database.write("open the privacy ledger", connection -> {
      database.lockSchema(connection);
      Database.execute(connection, """
          CREATE TABLE IF NOT EXISTS privacy_ledger_migrations (
            version INTEGER PRIMARY KEY,
            description TEXT NOT NULL,
            applied_at_micros BIGINT NOT NULL
          )""");
      int current = currentVersion(connection);
      if (current > LATEST) {
        throw new LedgerException("open the privacy ledger",
            "its tables are at version " + current + " and this version of dcr knows only up to " + LATEST,
            "Use a newer dcr with this ledger; an older one must not write to it.", null);
      }
      // Versions are 1, 2, 3, ... so the ones still to apply start at index `current`.
      for (Migration migration : MIGRATIONS.subList(current, MIGRATIONS.size())) {
        for (String statement : migration.statements()) {
          Database.execute(connection, statement);
        }
        record(connection, migration, clock);
      }
      return null;
    });
  }

  private static int currentVersion(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT COALESCE(MAX(version), 0) FROM privacy_ledger_migrations")) {
      result.next();
      return result.getInt(1);
    }
  }

  private static void record(Connection connection, Migration migration, Clock clock) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO privacy_ledger_migrations (version, description, applied_at_micros) VALUES (?, ?, ?)")) {
      insert.setInt(1, migration.version());
      insert.setString(2, migration.description());
      insert.setLong(3, micros(clock.instant()));
      insert.executeUpdate();
    }
  }

  /** The stored form of a time: microseconds since the epoch. */
  static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  static Instant instant(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }
}
