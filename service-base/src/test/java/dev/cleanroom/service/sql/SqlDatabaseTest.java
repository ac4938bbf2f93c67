package dev.cleanroom.service.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlDatabaseTest {
  @TempDir Path dir;

  /** The service's own error for a failed database call. */
  private static final class Unavailable extends RuntimeException {
    Unavailable(String action, String database, SQLException cause) {
      super(action + " at " + database, cause);
    }
  }

  private SqlDatabase open(String url) {
    SqlDatabase database = SqlDatabase.open("the test store", url, Unavailable::new);
    database.write("create the table", c -> {
      SqlDatabase.execute(c, "CREATE TABLE IF NOT EXISTS counters (id TEXT PRIMARY KEY, n INTEGER NOT NULL)");
      SqlDatabase.execute(c, "INSERT INTO counters (id, n) VALUES ('a', 0) ON CONFLICT (id) DO NOTHING");
      return null;
    });
    return database;
  }

  private static int count(SqlDatabase database) {
    return database.read("read the counter", c -> {
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT n FROM counters WHERE id = 'a'")) {
        r.next();
        return r.getInt(1);
      }
    });
  }

  private static void increment(Connection c) throws SQLException {
    SqlDatabase.execute(c, "UPDATE counters SET n = n + 1 WHERE id = 'a'");
  }

  @OnBothDatabases
  void aWriteThatReturns_isCommitted(TestDatabase backend) {
    try (SqlDatabase database = open(backend.newUrl(dir))) {
      database.write("increment", c -> {
        increment(c);
        return null;
      });
      assertEquals(1, count(database));
    }
  }

  @OnBothDatabases
  void aWriteThatThrows_isRolledBack_andItsErrorReachesTheCaller(TestDatabase backend) {
    try (SqlDatabase database = open(backend.newUrl(dir))) {
      IllegalStateException refused = new IllegalStateException("over budget");
      assertSame(refused, assertThrows(IllegalStateException.class, () -> database.write("increment", c -> {
        increment(c);
        throw refused;
      })));
      assertEquals(0, count(database));
      database.write("increment", c -> {
        increment(c);
        return null;
      });
      assertEquals(1, count(database), "the connection is good for the next transaction");
    }
  }

  @OnBothDatabases
  void aFailedStatement_becomesTheServicesError_namingTheActionAndTheDatabaseWithoutParameters(TestDatabase backend) {
    try (SqlDatabase database = open(backend.newUrl(dir))) {
      Unavailable failure = assertThrows(Unavailable.class,
          () -> database.write("drop a table", c -> {
            SqlDatabase.execute(c, "DROP TABLE no_such_table");
            return null;
          }));
      assertTrue(failure.getMessage().startsWith("drop a table at jdbc:"), failure.getMessage());
      assertFalse(failure.getMessage().contains("?"), "parameters may hold a password: " + failure.getMessage());
      assertEquals(0, count(database));
    }
  }

  @OnBothDatabases
  void anUnreachableDatabase_isTheServicesError(TestDatabase backend) {
    try (SqlDatabase database = SqlDatabase.open("the test store", backend.unreachableUrl(dir), Unavailable::new)) {
      assertThrows(Unavailable.class, () -> count(database));
    }
  }

  @OnBothDatabases
  void writersThatLockOneKey_neverLoseAnUpdate(TestDatabase backend) throws Exception {
    try (SqlDatabase database = open(backend.newUrl(dir))) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> writers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        writers.add(pool.submit(() -> {
          start.await();
          for (int j = 0; j < 25; j++) {
            database.write("increment", c -> {
              database.lockKey(c, "counter", "a");
              int before;
              try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT n FROM counters WHERE id = 'a'")) {
                r.next();
                before = r.getInt(1);
              }
              // Read, then write what was read plus one: without the lock two writers would write the same.
              SqlDatabase.execute(c, "UPDATE counters SET n = " + (before + 1) + " WHERE id = 'a'");
              return null;
            });
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> writer : writers) {
        writer.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertEquals(200, count(database));
    }
  }

  @Test
  void anInMemorySqliteDatabase_isRefused_becauseItWouldBeLostOnRestart() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> SqlDatabase.open("the test store", "jdbc:sqlite::memory:", Unavailable::new));
    assertEquals("The test store cannot be an in-memory database, which is lost on restart; give a file:"
        + " jdbc:sqlite:<file>", refused.getMessage());
  }

  @Test
  void anotherDatabase_isRefused_withoutShowingTheUrlsParameters() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> SqlDatabase.open("the test store", "jdbc:mysql://db/x?password=secret", Unavailable::new));
    assertEquals("The test store is jdbc:sqlite:<file> or jdbc:postgresql://..., got 'jdbc:mysql://db/x'",
        refused.getMessage());
  }

  @Test
  void aClosedDatabase_saysSo() {
    SqlDatabase database = open(TestDatabase.SQLITE.newUrl(dir));
    database.close();
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> count(database));
    assertEquals("The test store is closed; open it again to use it", refused.getMessage());
  }

  /** Without waiting out SQLITE_BUSY at open, about 1 round in 15 failed here (10 of 150). */
  @Test
  void sixProcessesCreatingOneNewSqliteFileAtOnce_allOpenIt() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      for (int round = 0; round < 150; round++) {
        String url = "jdbc:sqlite:" + dir.resolve("new-" + round + ".db");
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> openers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          openers.add(pool.submit(() -> {
            start.await();
            open(url).close(); // a database of its own, as another process has
            return null;
          }));
        }
        start.countDown();
        for (Future<?> opener : openers) {
          opener.get(60, TimeUnit.SECONDS);
        }
      }
    } finally {
      pool.shutdown();
    }
  }
}
