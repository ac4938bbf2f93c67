package dev.cleanroom.dp.ledger;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.sqlite.SQLiteConfig;

/**
 * The ledger's database, an SQLite file or a PostgreSQL server: its connections and transactions.
 *
 * <p>Invariant: a write transaction that locked an account holds that lock until it commits, so no
 * other charge to the account can read the spent amount between this one's check and its insert.
 * SQLite gets this from {@code BEGIN IMMEDIATE}, which takes the file's single write lock (across
 * processes too); PostgreSQL from a transaction-scoped advisory lock per account.
 */
final class Database implements AutoCloseable {
  /** How long a write waits for another writer before giving up; charges take milliseconds. */
  private static final Duration LOCK_WAIT = Duration.ofSeconds(15);
  /** Connections kept open between calls; more are opened under load and closed afterwards. */
  private static final int IDLE_CONNECTIONS = 8;
  /** Advisory lock key for schema migrations; account locks use the two-key form, a separate space. */
  private static final long SCHEMA_LOCK = 0x6463_725f_6c65_6467L;

  private enum Dialect { SQLITE, POSTGRESQL }

  /** Database work that may throw SQLException; the caller turns that into a LedgerException. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final String url;
  private final Dialect dialect;
  private final String name;
  private final BlockingQueue<Connection> idle = new ArrayBlockingQueue<>(IDLE_CONNECTIONS);
  private volatile boolean closed;

  private Database(String url, Dialect dialect) {
    this.url = url;
    this.dialect = dialect;
    // Parameters may carry a password, so messages show the URL without them.
    this.name = url.replaceFirst("\\?.*", "");
  }

  static Database of(String jdbcUrl) {
    if (jdbcUrl == null || jdbcUrl.isBlank()) {
      throw new IllegalArgumentException("The ledger needs a database URL: jdbc:sqlite:<file> or jdbc:postgresql://...");
    }
    if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      return new Database(jdbcUrl, Dialect.POSTGRESQL);
    }
    if (jdbcUrl.startsWith("jdbc:sqlite:")) {
      String file = jdbcUrl.substring("jdbc:sqlite:".length());
      // Each connection to an in-memory database is a different, empty database that vanishes on close.
      if (file.isBlank() || file.contains(":memory:") || file.contains("mode=memory")) {
        throw new IllegalArgumentException(
            "An in-memory ledger would forget its charges; give a file: jdbc:sqlite:<file>, got " + jdbcUrl);
      }
      return new Database(jdbcUrl, Dialect.SQLITE);
    }
    throw new IllegalArgumentException(
        "The ledger supports jdbc:sqlite:<file> and jdbc:postgresql://..., got " + jdbcUrl.replaceFirst("\\?.*", ""));
  }

  /** Runs {@code work} in one transaction that may write, committing if it returns normally. */
  <T> T write(String action, Work<T> work) {
    return withConnection(action, connection -> {
      // Explicit statements rather than setAutoCommit(false): the SQLite driver would begin the next
      // immediate transaction right after each commit, holding the write lock while the connection idles.
      execute(connection, dialect == Dialect.SQLITE ? "BEGIN IMMEDIATE" : "BEGIN ISOLATION LEVEL READ COMMITTED");
      T result;
      try {
        result = work.run(connection);
      } catch (RuntimeException e) {
        rollback(connection);
        throw e;
      }
      // The charge is durable once this returns: SQLite syncs its log (synchronous=FULL), PostgreSQL
      // waits for its WAL flush (synchronous_commit=on).
      execute(connection, "COMMIT");
      return result;
    });
  }

  /** Runs {@code work}, whose statements each see a consistent snapshot, outside a write transaction. */
  <T> T read(String action, Work<T> work) {
    return withConnection(action, work);
  }

  /**
   * Serializes the charges to one account (scientist, dataset) until the transaction ends. On PostgreSQL,
   * two accounts whose names hash alike share a lock, which only makes them wait for each other.
   * READ COMMITTED matters here: each statement after the lock sees everything committed before it.
   */
  void lockAccount(Connection connection, String scientist, String dataset) throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))")) {
        lock.setString(1, scientist);
        lock.setString(2, dataset);
        lock.execute();
      }
    }
  }

  /** Serializes schema migrations by processes opening the same ledger at once. */
  void lockSchema(Connection connection) throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      execute(connection, "SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
    }
  }

  private <T> T withConnection(String action, Work<T> work) {
    if (closed) {
      throw new IllegalStateException("The privacy ledger is closed; open it again to use it");
    }
    Connection connection = null;
    try {
      connection = idle.poll();
      if (connection == null) {
        connection = connect();
      }
      T result = work.run(connection);
      release(connection);
      return result;
    } catch (SQLException e) {
      // Closing rolls back whatever the failed transaction did, and a broken connection is not reused.
      closeQuietly(connection);
      throw new LedgerException(action + " at " + name, e.getMessage(),
          "Check that the database is reachable and writable (for SQLite, that the file's directory exists),"
              + " then retry.", e);
    } catch (RuntimeException e) {
      if (connection != null) {
        release(connection); // a refused charge leaves the connection as good as before
      }
      throw e;
    }
  }

  private Connection connect() throws SQLException {
    if (dialect == Dialect.SQLITE) {
      SQLiteConfig config = new SQLiteConfig();
      config.setJournalMode(SQLiteConfig.JournalMode.WAL);
      // FULL syncs the log at every commit: a charge survives power loss, not only a crash.
      config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
      config.setBusyTimeout((int) LOCK_WAIT.toMillis());
      return DriverManager.getConnection(url, config.toProperties());
    }
    Connection connection = DriverManager.getConnection(url);
    try {
      // Set here, not trusted to the server's configuration: an answer is released once commit returns.
      execute(connection, "SET synchronous_commit TO on");
      execute(connection, "SET lock_timeout TO '" + LOCK_WAIT.toMillis() + "ms'");
      return connection;
    } catch (SQLException e) {
      closeQuietly(connection);
      throw e;
    }
  }

  static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static void rollback(Connection connection) {
    try {
      execute(connection, "ROLLBACK");
    } catch (SQLException e) {
      closeQuietly(connection); // release() then drops it
    }
  }

  private void release(Connection connection) {
    try {
      if (connection.isClosed() || !idle.offer(connection)) {
        connection.close();
      }
    } catch (SQLException e) {
      closeQuietly(connection);
    }
    if (closed) {
      close(); // the ledger was closed meanwhile: keep no connection open
    }
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // Already broken; nothing more to release.
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Connection connection = idle.poll(); connection != null; connection = idle.poll()) {
      closeQuietly(connection);
    }
  }
}
