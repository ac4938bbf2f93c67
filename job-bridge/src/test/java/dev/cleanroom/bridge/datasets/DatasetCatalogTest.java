package dev.cleanroom.bridge.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.dp.provision.InputCommitment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files of a provider's provisioned views folder become a job's inputs, and with which hashes. */
class DatasetCatalogTest {
  private static final Path INSURANCE = Path.of("..", "datasets", "insurance");

  @TempDir Path dir;

  /** A views folder as {@code dcr provision} leaves it, under {@code policy}, and the real rows elsewhere. */
  private String provisioned(String policy) throws IOException {
    Path views = Files.createDirectories(dir.resolve("views/insurance"));
    Files.writeString(views.resolve("policy.yaml"), policy);
    Files.writeString(views.resolve("synthetic.csv"), "age,charges\n30,1000\n");
    Files.writeString(views.resolve("mock.csv"), "age,charges\n40,2000\n");
    Files.writeString(views.resolve("schema.json"), "{}\n");
    InputCommitment.loadOrCreateKey(views);
    Files.writeString(views.resolve("provision.json"), """
        {"dataset": "insurance", "tool": "test", "provisionedAt": "2026-03-01T12:00:00Z", "policySha256": "%s",
         "dataCommitment": "%s", "views": ["synthetic", "mock"], "syntheticSpent": {"epsilon": 1, "delta": 1e-6},
         "totalSyntheticSpent": {"epsilon": 1, "delta": 1e-6}, "runs": 1}
        """.formatted("0".repeat(64), "1".repeat(64)));
    return "insurance=" + views + ":" + INSURANCE.resolve("real.csv");
  }

  @Test
  void open_aPolicyOfferingTheSyntheticView_makesTheViewsSyntheticCsvAnInputAndNoOtherViewFile() throws Exception {
    CatalogDataset dataset = DatasetCatalog.open(provisioned(Files.readString(INSURANCE.resolve("policy.yaml"))));
    Path synthetic = dir.resolve("views/insurance/synthetic.csv").toAbsolutePath().normalize();
    assertEquals(List.of("insurance/real.csv", "insurance/policy.yaml", "insurance/synthetic.csv", "insurance/commitment.key"),
        List.copyOf(dataset.inputLocations().keySet()));
    assertEquals(synthetic.toUri(), dataset.inputLocations().get("insurance/synthetic.csv"));
    Map<String, String> commitments = dataset.inputCommitments();
    assertEquals(dataset.inputLocations().keySet(), commitments.keySet());
    assertEquals("1".repeat(64), commitments.get("insurance/real.csv"), "the real rows' commitment is the provider's record");
    byte[] key = InputCommitment.readKey(dir.resolve("views/insurance/commitment.key"));
    assertEquals(InputCommitment.of(key, synthetic), commitments.get("insurance/synthetic.csv"));
    assertNotEquals(Sha256.of(synthetic).hex(), commitments.get("insurance/synthetic.csv"));
  }

  @Test
  void open_aViewsFolderWithoutItsCommitmentKey_isRefusedSayingToProvisionAgain() throws Exception {
    String spec = provisioned(Files.readString(INSURANCE.resolve("policy.yaml")));
    Files.delete(dir.resolve("views/insurance/commitment.key"));
    java.io.IOException e = assertThrows(java.io.IOException.class, () -> DatasetCatalog.open(spec));
    assertTrue(e.getMessage().contains("provision the dataset again"), e.getMessage());
  }

  @Test
  void open_aPolicyWithoutTheSyntheticView_leavesTheSyntheticFileOut() throws Exception {
    String policy = Files.readString(INSURANCE.resolve("policy.yaml"))
        .replace("views: [dp-query, synthetic, mock]", "views: [dp-query, mock]");
    CatalogDataset dataset = DatasetCatalog.open(provisioned(policy));
    assertTrue(dataset.synthetic().isEmpty());
    assertEquals(List.of("insurance/real.csv", "insurance/policy.yaml", "insurance/commitment.key"),
        List.copyOf(dataset.inputCommitments().keySet()));
  }
}
