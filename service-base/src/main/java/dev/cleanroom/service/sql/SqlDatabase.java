package dev.cleanroom.service.sql;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * A service's database, an SQLite file or a PostgreSQL server: its connections, transactions and locks.
 *
 * <p>Invariant: a write transaction holds the locks it takes until it commits or rolls back, so two writers
 * that lock the same thing see each other's work. SQLite gets this from {@code BEGIN IMMEDIATE}, which takes
 * the file's single write lock (across processes too), so its lock calls do nothing; PostgreSQL from row and
 * transaction-scoped advisory locks. A transaction is durable once {@link #write} returns: SQLite syncs its
 * log at every commit ({@code synchronous=FULL}), PostgreSQL waits for its WAL flush
 * ({@code synchronous_commit=on}, set here rather than trusted to the server's configuration).
 */
public final class SqlDatabase implements AutoCloseable {
  /** How long a transaction waits for another writer before it gives up; ours take milliseconds. */
  private static final Duration LOCK_WAIT = Duration.ofSeconds(15);
  /** Connections kept open between calls; more are opened under load and closed afterwards. */
  private static final int IDLE_CONNECTIONS = 16;

  /** Work on a connection inside a transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Turns a failed database call into the service's own error, which says what to do. */
  @FunctionalInterface
  public interface Failure {
    /**
     * @param action what the service was doing ("charge alice on dataset 'insurance'")
     * @param database the database's URL without its parameters, which may hold a password
     */
    RuntimeException of(String action, String database, SQLException cause);
  }

  /** Where the SQL of the two differs (types, upserts), callers choose by this. */
  public enum Dialect { SQLITE, POSTGRESQL }

  private final String url;
  private final Dialect dialect;
  private final String what;
  private final String shownUrl;
  private final Failure failure;
  private final BlockingQueue<Connection> idle = new ArrayBlockingQueue<>(IDLE_CONNECTIONS);
  private volatile boolean closed;

  private SqlDatabase(String url, Dialect dialect, String what, Failure failure) {
    this.url = url;
    this.dialect = dialect;
    this.what = what;
    this.shownUrl = withoutParameters(url);
    this.failure = failure;
  }

  /**
   * A database at {@code jdbcUrl}, connected on first use.
   *
   * @param what the database as its users name it in messages ("the privacy ledger", "the jobs database")
   * @throws IllegalArgumentException for a URL of another database or an in-memory SQLite database
   */
  public static SqlDatabase open(String what, String jdbcUrl, Failure failure) {
    if (jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:")) {
      return new SqlDatabase(jdbcUrl, Dialect.POSTGRESQL, what, failure);
    }
    if (jdbcUrl != null && jdbcUrl.startsWith("jdbc:sqlite:")) {
      String file = jdbcUrl.substring("jdbc:sqlite:".length());
      // Each connection to an in-memory database is a different, empty database that vanishes on close.
      if (file.isBlank() || file.contains(":memory:") || file.contains("mode=memory")) {
        throw new IllegalArgumentException(capitalized(what) + " cannot be an in-memory database, which is lost on"
            + " restart; give a file: jdbc:sqlite:<file>");
      }
      return new SqlDatabase(jdbcUrl, Dialect.SQLITE, what, failure);
    }
    throw new IllegalArgumentException(capitalized(what) + " is jdbc:sqlite:<file> or jdbc:postgresql://..., got '"
        + (jdbcUrl == null ? "" : withoutParameters(jdbcUrl)) + "'");
  }

  public Dialect dialect() {
    return dialect;
  }

  /** Runs {@code work} in a write transaction, committed when it returns and rolled back when it throws. */
  public <T> T write(String action, Work<T> work) {
    // READ COMMITTED: each statement after a lock sees everything committed before the lock was granted.
    return transaction(action, dialect == Dialect.SQLITE ? "BEGIN IMMEDIATE" : "BEGIN ISOLATION LEVEL READ COMMITTED",
        work);
  }

  /** Runs {@code work} in a read-only transaction: every statement sees the same snapshot. */
  public <T> T read(String action, Work<T> work) {
    return transaction(action,
        dialect == Dialect.SQLITE ? "BEGIN DEFERRED" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", work);
  }

  /** Locks the row of {@code table} whose primary key {@code id} is {@code key} until the transaction ends. */
  public void lockRow(Connection connection, String table, String key) throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      try (PreparedStatement lock = connection.prepareStatement("SELECT id FROM " + table + " WHERE id = ? FOR UPDATE")) {
        lock.setString(1, key);
        lock.executeQuery().close();
      }
    }
  }

  /**
   * Locks the key ({@code first}, {@code second}) until the transaction ends, for what has no row to lock yet
   * (an account's first charge, an owner's first job, the schema). Two keys that hash alike share a lock,
   * which only makes them wait for each other.
   */
  public void lockKey(Connection connection, String first, String second) throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))")) {
        lock.setString(1, first);
        lock.setString(2, second);
        lock.execute();
      }
    }
  }

  /** Runs one SQL statement that takes no parameters (DDL, a pragma). */
  public static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private <T> T transaction(String action, String begin, Work<T> work) {
    if (closed) {
      throw new IllegalStateException(capitalized(what) + " is closed; open it again to use it");
    }
    Connection connection = null;
    try {
      connection = idle.poll();
      if (connection == null) {
        connection = connect();
      }
      // Explicit statements rather than setAutoCommit(false): the SQLite driver would begin the next
      // immediate transaction right after each commit, holding the write lock while the connection idles.
      execute(connection, begin);
      T result;
      try {
        result = work.run(connection);
      } catch (RuntimeException | SQLException e) {
        rollback(connection);
        throw e;
      }
      execute(connection, "COMMIT");
      release(connection);
      return result;
    } catch (SQLException e) {
      // Closing rolls back whatever the failed transaction left, and a broken connection is not reused.
      closeQuietly(connection);
      throw failure.of(action, shownUrl, e);
    } catch (RuntimeException e) {
      if (connection != null) {
        release(connection); // work refused by the service leaves the connection as good as before
      }
      throw e;
    }
  }

  private Connection connect() throws SQLException {
    if (dialect == Dialect.SQLITE) {
      SQLiteConfig config = new SQLiteConfig();
      config.setJournalMode(SQLiteConfig.JournalMode.WAL);
      // FULL syncs the log at every commit: a transaction survives power loss, not only a crash.
      config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
      config.setBusyTimeout((int) LOCK_WAIT.toMillis());
      config.enforceForeignKeys(true);
      return openSqlite(config);
    }
    Connection connection = DriverManager.getConnection(url);
    try {
      execute(connection, "SET synchronous_commit TO on");
      execute(connection, "SET lock_timeout TO '" + LOCK_WAIT.toMillis() + "ms'");
      return connection;
    } catch (SQLException e) {
      closeQuietly(connection);
      throw e;
    }
  }

  /**
   * Opens an SQLite connection, again while the file answers SQLITE_BUSY as it opens: the pragmas run at
   * open (the WAL journal mode) can meet another connection switching a new file's journal mode, and SQLite
   * then answers busy without waiting in its busy handler. One CI run met it with six processes creating
   * one database at once.
   */
  private Connection openSqlite(SQLiteConfig config) throws SQLException {
    long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
    while (true) {
      try {
        return DriverManager.getConnection(url, config.toProperties());
      } catch (SQLiteException e) {
        if ((e.getResultCode().code & 0xff) != SQLiteErrorCode.SQLITE_BUSY.code || System.nanoTime() > deadline) {
          throw e;
        }
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted while the SQLite file was busy", e);
      }
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
      if (closed || connection.isClosed() || !idle.offer(connection)) {
        connection.close();
      }
    } catch (SQLException e) {
      closeQuietly(connection);
    }
    if (closed) {
      close(); // closed meanwhile: keep no connection open
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

  private static String capitalized(String text) {
    return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }

  private static String withoutParameters(String url) {
    return url.replaceFirst("\\?.*", "");
  }

  @Override
  public void close() {
    closed = true;
    for (Connection connection = idle.poll(); connection != null; connection = idle.poll()) {
      closeQuietly(connection);
    }
  }
}
