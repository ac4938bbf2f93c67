package dev.cleanroom.kernel.sdk;

import dev.cleanroom.dp.client.Caller;
import dev.cleanroom.dp.client.EngineDpClient;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import dev.cleanroom.dp.table.PrivateTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The SDK set up on the insurance dataset: in stage 1 as alice, served by the DP query service's engine over
 * a SQLite ledger with the published MST output as the synthetic view (anchor-mst-synthetic.csv); in stage 2
 * on DCR_INPUT_DIR as the launcher lays it out.
 */
final class InsuranceStages {
  static final Path INSURANCE = Path.of("..", "datasets", "insurance");

  private InsuranceStages() {}

  /** Stage 1 under the demo policy; returns the ledger, for the test to close. */
  static PrivacyLedger stage1(Path dir) throws IOException {
    return stage1(dir, PolicyFile.read(INSURANCE.resolve("policy.yaml")));
  }

  /** Stage 1 with the dataset served under {@code policy}; returns the ledger, for the test to close. */
  static PrivacyLedger stage1(Path dir, DatasetPolicy policy) throws IOException {
    Path views = Files.createDirectories(dir.resolve("views"));
    Files.copy(INSURANCE.resolve("anchor-mst-synthetic.csv"), views.resolve("synthetic.csv"));
    ProvisionedDataset insurance = new ProvisionedDataset(policy, views, PrivateTable.load(INSURANCE.resolve("real.csv"), policy),
        "insurance");
    PrivacyLedger ledger = PrivacyLedger.open("jdbc:sqlite:" + dir.resolve("ledger.db"));
    Dcr.use(Environment.of(Map.of("DCR_STAGE", "exploration", "DCR_SCRATCH_DIR", dir.resolve("scratch").toString())),
        new EngineDpClient(Caller.scientist("alice"), ledger, List.of(insurance)));
    return ledger;
  }

  /** Stage 2 with the real rows and the policy in DCR_INPUT_DIR; returns the dataset's folder there. */
  static Path stage2(Path dir) throws IOException {
    Path insurance = Files.createDirectories(dir.resolve("input/insurance"));
    Files.copy(INSURANCE.resolve("real.csv"), insurance.resolve("real.csv"));
    Files.copy(INSURANCE.resolve("policy.yaml"), insurance.resolve("policy.yaml"));
    Dcr.use(Environment.of(Map.of("DCR_STAGE", "execution", "DCR_INPUT_DIR", dir.resolve("input").toString(),
        "DCR_OUTPUT_DIR", dir.resolve("output").toString())), null);
    return insurance;
  }
}
