package dev.cleanroom.dp.ledger;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cleanroom.service.sql.OnBothDatabases;
import dev.cleanroom.service.sql.TestDatabase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process that is answering DP queries, at whatever point it has reached, and checks that the
 * ledger kept a charge for every answer that was released, and nothing twice.
 */
class PrivacyLedgerCrashTest {
  private static final int STORM_THREADS = 4;
  private static final int RELEASES_BEFORE_KILL = 200;
  private static final int SIGKILL_EXIT = 128 + 9;

  @TempDir Path dir;

  @OnBothDatabases
  void killedWhileCharging_keepsEveryReleasedChargeExactlyOnce(TestDatabase backend) throws Exception {
    String url = backend.newUrl(dir);
    Process storm = startStorm(url);
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = Thread.ofPlatform().start(() -> readLines(storm, lines));

    List<String> released = new ArrayList<>();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (released.size() < RELEASES_BEFORE_KILL) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null) {
          released.add(releasedQueryId(line));
        } else if (!reader.isAlive() || System.nanoTime() > deadline) {
          fail("The storm released " + released.size() + " queries, then stopped: "
              + Files.readString(dir.resolve("storm.err")));
        }
      }
    } finally {
      // SIGKILL on Linux: no shutdown hook, no close, mid-transaction. Through the ProcessHandle, so
      // that (unlike Process.destroyForcibly) our end of the pipe stays open and the reader can drain
      // the lines the storm printed before it died.
      storm.toHandle().destroyForcibly();
    }
    assertEquals(SIGKILL_EXIT, storm.waitFor(), "exit status of a process killed by SIGKILL");
    reader.join(); // the lines already in the pipe were printed after their charge returned, too
    for (String line = lines.poll(); line != null; line = lines.poll()) {
      released.add(releasedQueryId(line));
    }

    List<Charge> charges;
    BigDecimal spent;
    try (PrivacyLedger reopened = PrivacyLedger.open(url)) {
      charges = reopened.charges(QueryStorm.DATASET);
      spent = decimal(reopened.spent(QueryStorm.SCIENTIST, QueryStorm.DATASET).epsilon());
    }
    Set<String> charged = new HashSet<>();
    charges.forEach(charge -> charged.add(charge.queryId()));
    BigDecimal sumOfCharges = charges.stream()
        .map(charge -> decimal(charge.cost().epsilon()))
        .reduce(BigDecimal.ZERO, BigDecimal::add);
    assertAll(
        () -> assertEquals(List.of(), released.stream().filter(id -> !charged.contains(id)).toList(),
            "released queries without a charge"),
        () -> assertEquals(charges.size(), charged.size(), "no query charged twice"),
        // Each thread may have committed one charge it had no time to print.
        () -> assertTrue(charges.size() <= released.size() + STORM_THREADS, "no charge that no thread was making"),
        () -> assertEquals(0, sumOfCharges.compareTo(spent), "spent " + spent + " = sum of charges " + sumOfCharges));

    try (PrivacyLedger reopenedAgain = PrivacyLedger.open(url)) {
      Charge last = charges.stream()
          .filter(charge -> charge.queryId().equals(released.get(released.size() - 1)))
          .findFirst()
          .orElseThrow();
      Charge again = reopenedAgain.charge(new ChargeRequest(
          last.queryId(), last.scientist(), last.dataset(), last.cost(),
          new DatasetBudget(QueryStorm.DATASET, QueryStorm.BUDGET, QueryStorm.BUDGET), last.description()));

      assertTrue(again.replayed(), "charging a released query again replays it");
      assertEquals(0, spent.compareTo(decimal(reopenedAgain.spent(QueryStorm.SCIENTIST, QueryStorm.DATASET).epsilon())),
          "replaying charges nothing");
    }
  }

  private Process startStorm(String url) throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), QueryStorm.class.getName(), url, String.valueOf(STORM_THREADS))
        .redirectError(dir.resolve("storm.err").toFile())
        .start();
  }

  private static void readLines(Process storm, BlockingQueue<String> lines) {
    try (BufferedReader out = storm.inputReader()) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String releasedQueryId(String line) {
    if (!line.startsWith("RELEASED ")) {
      fail("The storm printed an unexpected line: " + line);
    }
    return line.split(" ")[1];
  }

  private static BigDecimal decimal(double value) {
    return new BigDecimal(Double.toString(value));
  }
}
