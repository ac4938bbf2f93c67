package dev.cleanroom.service.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;

/**
 * A service's tables, created and upgraded by numbered migrations (1, 2, 3, ...), each applied once and recorded
 * with the time it was applied in a history table of the service's own.
 *
 * <p>Invariant: all migrations still to apply run in one write transaction that first takes the schema's lock,
 * so processes opening one database at once apply each migration exactly once, and a failed upgrade leaves the
 * tables as they were.
 *
 * @param historyTable the table that records the applied migrations
 * @param appliedColumn its column of the time a migration was applied, in microseconds since the epoch
 */
public record SchemaMigrations(String historyTable, String appliedColumn, List<Migration> migrations) {
  /** One statement, the same on both databases or spelt for each. */
  public record Sql(String sqlite, String postgresql) {
    public static Sql both(String sql) {
      return new Sql(sql, sql);
    }

    String in(SqlDatabase.Dialect dialect) {
      return dialect == SqlDatabase.Dialect.SQLITE ? sqlite : postgresql;
    }
  }

  public record Migration(int version, String description, List<Sql> statements) {
    public Migration {
      statements = List.copyOf(statements);
    }

    /** A migration whose statements are the same on both databases. */
    public static Migration of(int version, String description, String... statements) {
      return new Migration(version, description, Arrays.stream(statements).map(Sql::both).toList());
    }
  }

  /** The error for tables at a newer version than this code knows, which it must not write to. */
  @FunctionalInterface
  public interface TooNew {
    RuntimeException of(int tablesVersion, int latestKnown);
  }

  public SchemaMigrations {
    migrations = List.copyOf(migrations);
    for (int i = 0; i < migrations.size(); i++) {
      if (migrations.get(i).version() != i + 1) {
        throw new IllegalArgumentException("Migrations are numbered 1, 2, 3, ...; number " + (i + 1) + " is "
            + migrations.get(i).version());
      }
    }
  }

  /** The version the last migration brings the tables to. */
  public int latest() {
    return migrations.size();
  }

  /**
   * Brings the tables up to {@link #latest()}.
   *
   * @param action what the service is doing, for the error if the database fails ("open the privacy ledger")
   * @throws RuntimeException from {@code tooNew}, if the tables are newer than this code
   */
  public void apply(SqlDatabase database, String action, Clock clock, TooNew tooNew) {
    database.write(action, connection -> {
      database.lockKey(connection, historyTable, "schema");
      SqlDatabase.execute(connection, "CREATE TABLE IF NOT EXISTS " + historyTable + " (version INTEGER PRIMARY KEY,"
          + " description TEXT NOT NULL, " + appliedColumn + " BIGINT NOT NULL)");
      int current = current(connection);
      if (current > latest()) {
        throw tooNew.of(current, latest());
      }
      // Versions are 1, 2, 3, ... so the ones still to apply start at index `current`.
      for (Migration migration : migrations.subList(current, migrations.size())) {
        for (Sql statement : migration.statements()) {
          SqlDatabase.execute(connection, statement.in(database.dialect()));
        }
        record(connection, migration, clock.instant());
      }
      return null;
    });
  }

  private int current(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT COALESCE(MAX(version), 0) FROM " + historyTable)) {
      result.next();
      return result.getInt(1);
    }
  }

  private void record(Connection connection, Migration migration, Instant applied) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO " + historyTable + " (version, description, " + appliedColumn + ") VALUES (?, ?, ?)")) {
      insert.setInt(1, migration.version());
      insert.setString(2, migration.description());
      insert.setLong(3, ChronoUnit.MICROS.between(Instant.EPOCH, applied));
      insert.executeUpdate();
    }
  }
}
