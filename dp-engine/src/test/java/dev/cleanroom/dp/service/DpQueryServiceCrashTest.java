package dev.cleanroom.dp.service;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.client.DpClient;
import dev.cleanroom.dp.client.DpClientException;
import dev.cleanroom.dp.client.HttpDpClient;
import dev.cleanroom.dp.ledger.Charge;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.testing.InsuranceData;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs the service process while clients are querying, restarts it on the same ledger, and checks
 * that every answer a client received has its charge, and that nothing was charged twice.
 */
class DpQueryServiceCrashTest {
  private static final int CLIENTS = 8;
  private static final int ANSWERS_BEFORE_KILL = 150;
  private static final int SIGKILL_EXIT = 128 + 9;
  private static final Pattern READY = Pattern.compile(Pattern.quote(DpQueryServiceMain.READY) + "(\\S+)");

  @TempDir Path dir;

  @Test
  void killedUnderLoad_everyReceivedAnswerIsChargedOnce() throws Exception {
    DatasetPolicy policy = ServiceFixture.policy("insurance", "pat", List.of(), PrivacyCost.pure(1000),
        PrivacyCost.pure(0.5));
    Path views = ServiceFixture.provision(dir, policy);
    Path tokens = ServiceFixture.writeTokens(dir);

    Process first = startService(views, tokens, "first");
    URI base = awaitReady(first, "first");
    Queue<String> received = new ConcurrentLinkedQueue<>();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      DpClient alice = HttpDpClient.create(base, ServiceFixture.TOKENS.get("alice"));
      clients.add(Thread.ofPlatform().start(() -> {
        try {
          while (true) {
            received.add(alice.query("insurance", DpQuery.count(0.01)).queryId());
          }
        } catch (DpClientException e) {
          // The service died under this client: the end of its run.
        }
      }));
    }
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (received.size() < ANSWERS_BEFORE_KILL) {
        if (System.nanoTime() > deadline || !first.isAlive()) {
          fail("The service answered " + received.size() + " queries, then stopped: " + log("first"));
        }
        Thread.sleep(5);
      }
    } finally {
      // SIGKILL through the handle: no shutdown hook, no close, mid-request and mid-transaction.
      first.toHandle().destroyForcibly();
    }
    assertEquals(SIGKILL_EXIT, first.waitFor(), "exit status of a process killed by SIGKILL");
    for (Thread client : clients) {
      client.join(TimeUnit.SECONDS.toMillis(30));
    }
    List<String> answers = List.copyOf(received);

    Process second = startService(views, tokens, "second");
    try {
      URI restarted = awaitReady(second, "second");
      HttpDpClient provider = HttpDpClient.create(restarted, ServiceFixture.TOKENS.get("pat"));
      List<Charge> audit = provider.audit("insurance");
      DpClient alice = HttpDpClient.create(restarted, ServiceFixture.TOKENS.get("alice"));
      BigDecimal spent = decimal(alice.budget("insurance").spent().epsilon());

      Set<String> charged = new HashSet<>();
      audit.forEach(charge -> charged.add(charge.queryId()));
      BigDecimal sumOfCharges = audit.stream().map(c -> decimal(c.cost().epsilon())).reduce(BigDecimal.ZERO,
          BigDecimal::add);
      assertAll(
          () -> assertTrue(answers.size() >= ANSWERS_BEFORE_KILL),
          () -> assertEquals(List.of(), answers.stream().filter(id -> !charged.contains(id)).toList(),
              "answers received without a charge"),
          () -> assertEquals(audit.size(), charged.size(), "no query charged twice"),
          () -> assertTrue(audit.size() <= answers.size() + CLIENTS,
              "at most one charge per client was under way: " + audit.size() + " charges, " + answers.size() + " answers"),
          () -> assertEquals(0, sumOfCharges.compareTo(spent), "spent " + spent + " = sum of charges " + sumOfCharges));
      alice.query("insurance", DpQuery.count(0.01));
      assertEquals(audit.size() + 1, provider.audit("insurance").size(), "the restarted service answers and charges");
    } finally {
      second.toHandle().destroyForcibly();
      second.waitFor();
    }
  }

  private Process startService(Path views, Path tokens, String name) throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        DpQueryServiceMain.class.getName(),
        "--port", "0",
        "--ledger", ServiceFixture.ledgerUrl(dir),
        "--tokens", tokens.toString(),
        "--dataset", "insurance=" + views + ":" + InsuranceData.CSV.toAbsolutePath())
        .redirectOutput(dir.resolve(name + ".out").toFile())
        .redirectError(dir.resolve(name + ".err").toFile())
        .start();
  }

  private URI awaitReady(Process service, String name) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && service.isAlive()) {
      Matcher ready = READY.matcher(Files.readString(dir.resolve(name + ".out")));
      if (ready.find()) {
        return URI.create(ready.group(1));
      }
      Thread.sleep(50);
    }
    throw new AssertionError("The " + name + " service did not get ready: " + log(name));
  }

  private String log(String name) throws IOException {
    return Files.readString(dir.resolve(name + ".err"));
  }

  private static BigDecimal decimal(double value) {
    return new BigDecimal(Double.toString(value));
  }
}
