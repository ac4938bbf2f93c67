package dev.cleanroom.bridge.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** The databases the jobs database runs on; every test that touches it runs on each ({@link OnBothDatabases}). */
public enum TestDatabase {
  SQLITE("SQLite") {
    @Override
    public String newUrl(Path dir) {
      return "jdbc:sqlite:" + dir.resolve("jobs-" + UUID.randomUUID() + ".db");
    }
  },

  POSTGRESQL("PostgreSQL") {
    /** A fresh schema on the test server, so tests never see each other's jobs. */
    @Override
    public String newUrl(Path dir) {
      String server = System.getProperty("dcr.postgres.url", "");
      if (!server.startsWith("jdbc:postgresql:")) {
        fail("PostgreSQL tests need a server: run ./dcr test, which starts one (or pass -Ddcr.postgres.url=...)");
      }
      String schema = "bridge_test_" + UUID.randomUUID().toString().replace("-", "");
      try (Connection connection = DriverManager.getConnection(server);
          Statement statement = connection.createStatement()) {
        statement.execute("CREATE SCHEMA " + schema);
      } catch (SQLException e) {
        fail("Could not create a test schema on " + server.replaceFirst("\\?.*", "") + ": " + e.getMessage(), e);
      }
      return server + (server.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }
  };

  private final String displayName;

  TestDatabase(String displayName) {
    this.displayName = displayName;
  }

  /** The URL of an empty jobs database, which {@code JobStore.open} creates. */
  public abstract String newUrl(Path dir);

  @Override
  public String toString() {
    return displayName;
  }
}
