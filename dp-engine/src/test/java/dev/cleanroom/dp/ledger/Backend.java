package dev.cleanroom.dp.ledger;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** The databases the ledger runs on; every behavioural test runs on each (see {@link OnBothDatabases}). */
enum Backend {
  SQLITE("SQLite") {
    @Override
    String newLedgerUrl(Path dir) {
      return "jdbc:sqlite:" + dir.resolve("ledger.db");
    }

    @Override
    String unreachableLedgerUrl(Path dir) {
      return "jdbc:sqlite:" + dir.resolve("no-such-directory").resolve("ledger.db");
    }
  },

  POSTGRESQL("PostgreSQL") {
    /** A fresh schema on the test server, so tests never see each other's charges. */
    @Override
    String newLedgerUrl(Path dir) {
      String server = System.getProperty("dcr.postgres.url", "");
      if (!server.startsWith("jdbc:postgresql:")) {
        fail("PostgreSQL tests need a server: run ./dcr test, which starts one");
      }
      String schema = "ledger_test_" + UUID.randomUUID().toString().replace("-", "");
      try (Connection connection = DriverManager.getConnection(server);
          Statement statement = connection.createStatement()) {
        statement.execute("CREATE SCHEMA " + schema);
      } catch (SQLException e) {
        fail("Could not create a test schema on " + server.replaceFirst("\\?.*", "") + ": " + e.getMessage(), e);
      }
      return server + (server.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Override
    String unreachableLedgerUrl(Path dir) {
      return "jdbc:postgresql://127.0.0.1:1/ledger?connectTimeout=5";
    }
  };

  private final String displayName;

  Backend(String displayName) {
    this.displayName = displayName;
  }

  /** The URL of an empty ledger, which {@link PrivacyLedger#open} creates. */
  abstract String newLedgerUrl(Path dir);

  /** The URL of a ledger whose database cannot be reached. */
  abstract String unreachableLedgerUrl(Path dir);

  @Override
  public String toString() {
    return displayName;
  }
}
