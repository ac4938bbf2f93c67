package dev.cleanroom.dp.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.client.Caller;
import dev.cleanroom.dp.client.EngineDpClient;
import dev.cleanroom.dp.ledger.Charge;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import dev.cleanroom.dp.testing.InsuranceData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code ./dcr demo} shows of alice's DP exploration, against the engine over a SQLite ledger. */
class ExplorationDemoTest {
  @TempDir Path dir;

  @Test
  void theDemoExploresUntilTheBudgetRefuses_withOneGroupByChargedAsOneMean() {
    DatasetPolicy policy = InsuranceData.policy();
    try (PrivacyLedger ledger = PrivacyLedger.open("jdbc:sqlite:" + dir.resolve("ledger.db"))) {
      EngineDpClient alice = new EngineDpClient(Caller.scientist("alice"), ledger,
          List.of(new ProvisionedDataset(policy, dir, InsuranceData.table(policy), "insurance")));
      ByteArrayOutputStream printed = new ByteArrayOutputStream();

      new ExplorationDemo(alice, "alice", new PrintStream(printed, true, StandardCharsets.UTF_8)).run();

      List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
      int groupBy = lines.indexOf(lines.stream().filter(l -> l.startsWith("mean(charges) by smoker ")).findFirst()
          .orElseThrow(() -> new AssertionError(String.join("\n", lines))));
      assertTrue(lines.get(groupBy).contains("ε 0.2000") && lines.get(groupBy).contains("ε 1.300"), lines.get(groupBy));
      assertTrue(lines.get(groupBy + 1).startsWith("    yes ") && lines.get(groupBy + 2).startsWith("    no "),
          String.join("\n", lines));
      assertTrue(lines.contains("Budget left for alice on 'insurance': ε 0.5000 of ε 2.000, δ 1.00e-06"),
          String.join("\n", lines));
      assertTrue(lines.get(lines.size() - 1).startsWith("One more query of ε 1 is refused and charges nothing"),
          lines.get(lines.size() - 1));
      List<String> charged = ledger.charges("insurance").stream().map(Charge::description).toList();
      assertEquals(8, charged.size(), charged.toString());
      assertTrue(charged.contains("mean(charges) group by smoker"), charged.toString());
    }
  }
}
