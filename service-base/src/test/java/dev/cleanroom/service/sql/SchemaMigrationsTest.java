package dev.cleanroom.service.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cleanroom.service.sql.SchemaMigrations.Migration;
import dev.cleanroom.service.sql.SchemaMigrations.Sql;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaMigrationsTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
  private static final Migration NOTES = Migration.of(1, "notes",
      "CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL)");
  private static final Migration AUTHORS = new Migration(2, "authors", List.of(
      Sql.both("ALTER TABLE notes ADD COLUMN author TEXT"),
      new Sql("CREATE VIEW dialect AS SELECT 'sqlite' AS name", "CREATE VIEW dialect AS SELECT 'postgresql' AS name")));

  @TempDir Path dir;

  private static final class TooNew extends RuntimeException {
    TooNew(int tables, int known) {
      super("tables at " + tables + ", known " + known);
    }
  }

  private static SqlDatabase open(String url) {
    return SqlDatabase.open("the test store", url, (action, database, e) -> new IllegalStateException(action, e));
  }

  private static List<String> rows(SqlDatabase database, String sql) {
    return database.read("read", c -> {
      List<String> rows = new ArrayList<>();
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
        while (r.next()) {
          rows.add(r.getString(1));
        }
      }
      return rows;
    });
  }

  @OnBothDatabases
  void eachMigrationIsAppliedOnce_andRecordedWithItsTime(TestDatabase backend) {
    try (SqlDatabase database = open(backend.newUrl(dir))) {
      new SchemaMigrations("history", "applied_micros", List.of(NOTES)).apply(database, "open", CLOCK, TooNew::new);
      SchemaMigrations both = new SchemaMigrations("history", "applied_micros", List.of(NOTES, AUTHORS));
      both.apply(database, "open", CLOCK, TooNew::new);
      both.apply(database, "open", CLOCK, TooNew::new);

      assertEquals(List.of("1 notes 1772366400000000", "2 authors 1772366400000000"),
          rows(database, "SELECT version || ' ' || description || ' ' || applied_micros FROM history ORDER BY version"));
      assertEquals(List.of(backend == TestDatabase.SQLITE ? "sqlite" : "postgresql"),
          rows(database, "SELECT name FROM dialect"), "each database gets its own spelling");
    }
  }

  @OnBothDatabases
  void tablesNewerThanTheCode_areRefusedWithTheServicesError(TestDatabase backend) {
    try (SqlDatabase database = open(backend.newUrl(dir))) {
      new SchemaMigrations("history", "applied_micros", List.of(NOTES, AUTHORS)).apply(database, "open", CLOCK, TooNew::new);

      TooNew refused = assertThrows(TooNew.class, () ->
          new SchemaMigrations("history", "applied_micros", List.of(NOTES)).apply(database, "open", CLOCK, TooNew::new));
      assertEquals("tables at 2, known 1", refused.getMessage());
    }
  }

  @OnBothDatabases
  void aFailingMigration_leavesTheTablesAsTheyWere(TestDatabase backend) {
    Migration broken = Migration.of(2, "broken", "ALTER TABLE notes ADD COLUMN author TEXT", "NOT SQL AT ALL");
    try (SqlDatabase database = open(backend.newUrl(dir))) {
      new SchemaMigrations("history", "applied_micros", List.of(NOTES)).apply(database, "open", CLOCK, TooNew::new);

      assertThrows(IllegalStateException.class, () -> new SchemaMigrations("history", "applied_micros",
          List.of(NOTES, broken)).apply(database, "upgrade", CLOCK, TooNew::new));
      assertEquals(List.of("1"), rows(database, "SELECT version FROM history"));
      new SchemaMigrations("history", "applied_micros", List.of(NOTES, AUTHORS)).apply(database, "open", CLOCK, TooNew::new);
      assertEquals(List.of("1", "2"), rows(database, "SELECT version FROM history ORDER BY version"),
          "the column the broken migration added was rolled back, so the good one adds it");
    }
  }

  @OnBothDatabases
  void processesUpgradingAtOnce_applyEachMigrationOnce(TestDatabase backend) throws Exception {
    String url = backend.newUrl(dir);
    SchemaMigrations schema = new SchemaMigrations("history", "applied_micros", List.of(NOTES, AUTHORS));
    ExecutorService pool = Executors.newFixedThreadPool(6);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> openers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      openers.add(pool.submit(() -> {
        start.await();
        try (SqlDatabase database = open(url)) { // a database of its own, as another process has
          schema.apply(database, "open", CLOCK, TooNew::new);
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> opener : openers) {
      opener.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    try (SqlDatabase database = open(url)) {
      assertEquals(List.of("1", "2"), rows(database, "SELECT version FROM history ORDER BY version"));
    }
  }

  @Test
  void migrationsAreNumberedFromOneWithoutGaps() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> new SchemaMigrations("history", "applied_micros", List.of(NOTES, Migration.of(3, "gap", "SELECT 1"))));
    assertEquals("Migrations are numbered 1, 2, 3, ...; number 2 is 3", refused.getMessage());
  }
}
