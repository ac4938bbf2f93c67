package dev.cleanroom.bridge.store;

import dev.cleanroom.bridge.BridgeException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.sqlite.SQLiteConfig;

/**
 * The jobs database, an SQLite file or a PostgreSQL server: connections, transactions and locks.
 *
 * <p>Invariant: every change to a job happens in one write transaction that first locks the job
 * ({@link #lockRow}) or, for a new job, its owner ({@link #lockName}); so two changes to one job (two providers
 * approving at once, a cancel racing the reconciler) see each other. SQLite gets this from
 * {@code BEGIN IMMEDIATE}, which takes the file's single write lock; PostgreSQL from row and advisory locks.
 */
final class Database implements AutoCloseable {
  enum Dialect { SQLITE, POSTGRESQL }

  /** Work on a connection; SQLExceptions become {@code database_unavailable}. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Milliseconds a transaction waits for a lock before it gives up; bridge transactions take milliseconds. */
  private static final int LOCK_WAIT_MILLIS = 15_000;
  private static final int IDLE_CONNECTIONS = 16;

  private final String url;
  private final Dialect dialect;
  private final String shownUrl;
  private final BlockingQueue<Connection> idle = new ArrayBlockingQueue<>(IDLE_CONNECTIONS);
  private volatile boolean closed;

  private Database(String url, Dialect dialect) {
    this.url = url;
    this.dialect = dialect;
    // Parameters may hold a password.
    this.shownUrl = url.replaceFirst("\\?.*", "");
  }

  static Database open(String jdbcUrl) {
    if (jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:")) {
      return new Database(jdbcUrl, Dialect.POSTGRESQL);
    }
    if (jdbcUrl != null && jdbcUrl.startsWith("jdbc:sqlite:")) {
      String file = jdbcUrl.substring("jdbc:sqlite:".length());
      if (file.isBlank() || file.contains(":memory:") || file.contains("mode=memory")) {
        throw new IllegalArgumentException("An in-memory jobs database would lose every job on restart; give a file:"
            + " jdbc:sqlite:<file>");
      }
      return new Database(jdbcUrl, Dialect.SQLITE);
    }
    throw new IllegalArgumentException("The jobs database is jdbc:sqlite:<file> or jdbc:postgresql://..., got '"
        + (jdbcUrl == null ? "" : jdbcUrl.replaceFirst("\\?.*", "")) + "'");
  }

  Dialect dialect() {
    return dialect;
  }

  /** Runs {@code work} in a write transaction, committed when it returns and rolled back when it throws. */
  <T> T write(String action, Work<T> work) {
    return transaction(action, dialect == Dialect.SQLITE ? "BEGIN IMMEDIATE" : "BEGIN ISOLATION LEVEL READ COMMITTED", work);
  }

  /** Runs {@code work} in a read-only transaction: every statement sees the same snapshot. */
  <T> T read(String action, Work<T> work) {
    return transaction(action, dialect == Dialect.SQLITE ? "BEGIN DEFERRED" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", work);
  }

  private <T> T transaction(String action, String begin, Work<T> work) {
    if (closed) {
      throw new IllegalStateException("The jobs database is closed");
    }
    Connection connection = null;
    try {
      connection = idle.poll();
      if (connection == null) {
        connection = connect();
      }
      execute(connection, begin);
      T result;
      try {
        result = work.run(connection);
      } catch (RuntimeException | SQLException e) {
        execute(connection, "ROLLBACK");
        throw e;
      }
      execute(connection, "COMMIT");
      release(connection);
      return result;
    } catch (SQLException e) {
      closeQuietly(connection); // closing rolls back what is left and keeps a broken connection out of the pool
      throw new BridgeException("database_unavailable", 503, "The jobs database failed to " + action + " ("
          + shownUrl + ": " + e.getMessage() + "); retry shortly", e);
    } catch (RuntimeException e) {
      if (connection != null) {
        release(connection);
      }
      throw e;
    }
  }

  /** Locks the row of {@code table} whose primary key {@code id} is {@code key} until the transaction ends. */
  void lockRow(Connection connection, String table, String key) throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      try (PreparedStatement lock = connection.prepareStatement("SELECT id FROM " + table + " WHERE id = ? FOR UPDATE")) {
        lock.setString(1, key);
        lock.executeQuery().close();
      }
    }
  }

  /** Locks a name within {@code space} (an owner's submissions, the audit log's tail) until the transaction ends. */
  void lockName(Connection connection, int space, String name) throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
        lock.setInt(1, space);
        lock.setString(2, name);
        lock.execute();
      }
    }
  }

  private Connection connect() throws SQLException {
    if (dialect == Dialect.SQLITE) {
      SQLiteConfig config = new SQLiteConfig();
      config.setJournalMode(SQLiteConfig.JournalMode.WAL);
      config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
      config.setBusyTimeout(LOCK_WAIT_MILLIS);
      config.enforceForeignKeys(true);
      return DriverManager.getConnection(url, config.toProperties());
    }
    Connection connection = DriverManager.getConnection(url);
    try {
      execute(connection, "SET lock_timeout TO '" + LOCK_WAIT_MILLIS + "ms'");
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

  private void release(Connection connection) {
    try {
      if (closed || connection.isClosed() || !idle.offer(connection)) {
        connection.close();
      }
    } catch (SQLException e) {
      closeQuietly(connection);
    }
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // Broken already; nothing more to free.
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Connection c = idle.poll(); c != null; c = idle.poll()) {
      closeQuietly(c);
    }
  }
}
