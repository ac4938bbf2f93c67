package dev.cleanroom.service.sql;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The databases our services run on; every test of a store runs on each ({@link OnBothDatabases}). The
 * PostgreSQL server is the one {@code ./dcr test} starts, passed as {@code -Ddcr.postgres.url}.
 */
public enum TestDatabase {
  SQLITE("SQLite") {
    @Override
    public String newUrl(Path dir) {
      return "jdbc:sqlite:" + dir.resolve("test-" + UUID.randomUUID() + ".db");
    }

    @Override
    public String unreachableUrl(Path dir) {
      return "jdbc:sqlite:" + dir.resolve("no-such-directory").resolve("test.db");
    }
  },

  POSTGRESQL("PostgreSQL") {
    /** A fresh schema on the test server, so tests never see each other's rows. */
    @Override
    public String newUrl(Path dir) {
      String server = System.getProperty("dcr.postgres.url", "");
      if (!server.startsWith("jdbc:postgresql:")) {
        fail("PostgreSQL tests need a server: run ./dcr test, which starts one (or pass -Ddcr.postgres.url=...)");
      }
      String schema = "test_" + UUID.randomUUID().toString().replace("-", "");
      try (Connection connection = DriverManager.getConnection(server);
          Statement statement = connection.createStatement()) {
        statement.execute("CREATE SCHEMA " + schema);
      } catch (SQLException e) {
        fail("Could not create a test schema on " + server.replaceFirst("\\?.*", "") + ": " + e.getMessage(), e);
      }
      return server + (server.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Override
    public String unreachableUrl(Path dir) {
      return "jdbc:postgresql://127.0.0.1:1/nothing?connectTimeout=5";
    }
  };

  private final String displayName;

  TestDatabase(String displayName) {
    this.displayName = displayName;
  }

  /** The URL of an empty database. */
  public abstract String newUrl(Path dir);

  /** The URL of a database that cannot be reached. */
  public abstract String unreachableUrl(Path dir);

  @Override
  public String toString() {
    return displayName;
  }
}
