package dev.cleanroom.dp.ledger;

import dev.cleanroom.service.sql.SchemaMigrations;
import dev.cleanroom.service.sql.SchemaMigrations.Migration;
import dev.cleanroom.service.sql.SqlDatabase;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The ledger's tables, created and upgraded by numbered migrations, each applied once and recorded
 * in {@code privacy_ledger_migrations} ({@link SchemaMigrations}). The SQL is the same on SQLite and PostgreSQL.
 *
 * <p>Amounts are BIGINT pico-units (see {@link ExactCost}); times are microseconds since the epoch,
 * the precision both databases keep. A charge row also keeps what was left after it, so the audit
 * view and a replayed charge tell the same story as the original answer.
 */
final class Schema {
  private static final SchemaMigrations MIGRATIONS = new SchemaMigrations("privacy_ledger_migrations",
      "applied_at_micros", List.of(
      Migration.of(1, "charges",
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
          "CREATE INDEX privacy_charges_by_dataset ON privacy_charges (dataset, charged_at_micros)"),
      // A dataset's budget belongs to its data, not to the name it is served under. Charges from before
      // keep their dataset name as their key: they still count for that name's ledger rows.
      Migration.of(2, "budget per dataset",
          "ALTER TABLE privacy_charges ADD COLUMN budget_key TEXT NOT NULL DEFAULT ''",
          "UPDATE privacy_charges SET budget_key = dataset",
          "CREATE INDEX privacy_charges_by_budget ON privacy_charges (budget_key, scientist)"),
      // The lowest budgets any policy has declared for a budget key: a policy served later, under another name,
      // cannot raise what the same data allows. NULL per-scientist: only providers have charged the key so far.
      Migration.of(3, "budgets held per dataset",
          """
          CREATE TABLE dataset_budgets (
            budget_key TEXT PRIMARY KEY,
            total_epsilon_pico BIGINT NOT NULL,
            total_delta_pico BIGINT NOT NULL,
            per_scientist_epsilon_pico BIGINT,
            per_scientist_delta_pico BIGINT
          )""")));

  static final int LATEST = MIGRATIONS.latest();

  private Schema() {}

  /** Brings the ledger's tables up to {@link #LATEST}; several processes may do this at once. */
  static void migrate(SqlDatabase database, Clock clock) {
    MIGRATIONS.apply(database, "open the privacy ledger", clock, (current, latest) ->
        new LedgerException("open the privacy ledger",
            "its tables are at version " + current + " and this version of dcr knows only up to " + latest,
            "Use a newer dcr with this ledger; an older one must not write to it.", null));
  }

  /** The stored form of a time: microseconds since the epoch. */
  static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  static Instant instant(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }
}
