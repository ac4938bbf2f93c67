package dev.cleanroom.bridge.store;

import dev.cleanroom.service.sql.SchemaMigrations;
import dev.cleanroom.service.sql.SchemaMigrations.Migration;
import dev.cleanroom.service.sql.SchemaMigrations.Sql;
import dev.cleanroom.service.sql.SqlDatabase;
import java.time.Clock;
import java.util.List;

/**
 * The jobs database's tables, created and upgraded by numbered migrations, each applied once and recorded in
 * {@code bridge_migrations} ({@link SchemaMigrations}). The tables and their columns are the same on SQLite and
 * PostgreSQL; only the triggers that keep the audit log append-only are written twice, because the two databases
 * spell triggers differently.
 *
 * <p>Times are microseconds since the epoch; booleans are 0 or 1; per-job sequences ({@code seq}) are
 * counted under the job's lock.
 */
final class Migrations {
  private static final SchemaMigrations MIGRATIONS = new SchemaMigrations("bridge_migrations", "applied_micros", List.of(
      new Migration(1, "jobs, datasets, decisions, timeline, audit log", List.of(
          Sql.both("""
              CREATE TABLE jobs (
                id TEXT PRIMARY KEY,
                owner TEXT NOT NULL,
                name TEXT NOT NULL,
                state TEXT NOT NULL,
                reason TEXT NOT NULL,
                notebook_sha256 TEXT NOT NULL,
                notebook_bytes BIGINT NOT NULL,
                timeout_seconds BIGINT NOT NULL,
                submitted_micros BIGINT NOT NULL,
                updated_micros BIGINT NOT NULL,
                image_reference TEXT,
                image_digest TEXT,
                run_requested_micros BIGINT,
                run_where TEXT,
                run_launched_micros BIGINT,
                run_stopped_micros BIGINT,
                run_launches INTEGER NOT NULL,
                step_failures INTEGER NOT NULL,
                has_report INTEGER NOT NULL
              )"""),
          Sql.both("CREATE INDEX jobs_by_owner ON jobs (owner, submitted_micros)"),
          Sql.both("CREATE INDEX jobs_by_state ON jobs (state)"),
          Sql.both("""
              CREATE TABLE job_datasets (
                job_id TEXT NOT NULL REFERENCES jobs (id),
                position INTEGER NOT NULL,
                dataset TEXT NOT NULL,
                provider TEXT NOT NULL,
                release_required INTEGER NOT NULL,
                PRIMARY KEY (job_id, dataset)
              )"""),
          Sql.both("CREATE INDEX job_datasets_by_provider ON job_datasets (provider, job_id)"),
          Sql.both("""
              CREATE TABLE job_decisions (
                job_id TEXT NOT NULL REFERENCES jobs (id),
                seq INTEGER NOT NULL,
                provider TEXT NOT NULL,
                kind TEXT NOT NULL,
                comment TEXT NOT NULL,
                decided_micros BIGINT NOT NULL,
                PRIMARY KEY (job_id, seq)
              )"""),
          Sql.both("""
              CREATE TABLE job_events (
                job_id TEXT NOT NULL REFERENCES jobs (id),
                seq INTEGER NOT NULL,
                at_micros BIGINT NOT NULL,
                actor TEXT NOT NULL,
                from_state TEXT,
                to_state TEXT,
                message TEXT NOT NULL,
                PRIMARY KEY (job_id, seq)
              )"""),
          Sql.both("""
              CREATE TABLE audit_log (
                seq BIGINT PRIMARY KEY,
                at_micros BIGINT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                job_id TEXT,
                outcome TEXT NOT NULL,
                detail TEXT NOT NULL,
                hash TEXT NOT NULL
              )"""),
          Sql.both("CREATE INDEX audit_log_by_job ON audit_log (job_id, seq)"),
          // Append-only in the database itself, not only in this code: an UPDATE or DELETE fails.
          new Sql("""
              CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
              BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
              """
              CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"""),
          new Sql("""
              CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
              BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
              """
              CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
              FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()"""),
          new Sql("SELECT 1", """
              CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
              FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()"""))),
      new Migration(2, "two-person release: how many must release each dataset's outputs, and who besides its provider", List.of(
          Sql.both("ALTER TABLE job_datasets ADD COLUMN approvers INTEGER NOT NULL DEFAULT 1"),
          Sql.both("""
              CREATE TABLE job_reviewers (
                job_id TEXT NOT NULL REFERENCES jobs (id),
                dataset TEXT NOT NULL,
                reviewer TEXT NOT NULL,
                PRIMARY KEY (job_id, dataset, reviewer)
              )"""),
          Sql.both("CREATE INDEX job_reviewers_by_reviewer ON job_reviewers (reviewer, job_id)"))),
      new Migration(3, "comments on a job and on its outputs", List.of(
          Sql.both("""
              CREATE TABLE job_comments (
                job_id TEXT NOT NULL REFERENCES jobs (id),
                seq INTEGER NOT NULL,
                author TEXT NOT NULL,
                output TEXT,
                body TEXT NOT NULL,
                at_micros BIGINT NOT NULL,
                PRIMARY KEY (job_id, seq)
              )""")))));

  static final int LATEST = MIGRATIONS.latest();

  private Migrations() {}

  /** Brings the tables up to {@link #LATEST}; several bridges opening one database at once is safe. */
  static void migrate(SqlDatabase database, Clock clock) {
    MIGRATIONS.apply(database, "create or upgrade its tables", clock, (current, latest) ->
        new IllegalStateException("The jobs database is at schema version " + current
            + " and this bridge knows versions up to " + latest + "; run a newer bridge with it"));
  }
}
