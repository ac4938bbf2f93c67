package dev.cleanroom.tee.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.dp.provision.InputCommitment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code dcr run-local} stages as a job's inputs, from a dataset folder or a CSV and a views folder. */
class DatasetInputsTest {
  private static final Path INSURANCE = Path.of("..", "datasets", "insurance");

  @TempDir Path dir;

  /** A folder as a provider may hand it to run-local: the real rows beside every view {@code dcr provision} writes. */
  private Path providerFolder(String policy) throws IOException {
    Path folder = Files.createDirectories(dir.resolve("provider"));
    Files.copy(INSURANCE.resolve("real.csv"), folder.resolve("real.csv"));
    Files.writeString(folder.resolve("policy.yaml"), policy);
    Files.writeString(folder.resolve("synthetic.csv"), "age,charges\n30,1000\n");
    Files.writeString(folder.resolve("mock.csv"), "age,charges\n40,2000\n");
    Files.writeString(folder.resolve("schema.json"), "{}\n");
    return folder;
  }

  @Test
  void stage_aFolderWhosePolicyOffersTheSyntheticView_stagesItBesideTheRealRowsAndNothingElse() throws Exception {
    Path folder = providerFolder(Files.readString(INSURANCE.resolve("policy.yaml")));
    SortedMap<String, Sha256> inputs = DatasetInputs.stage(folder, java.util.Optional.empty(), dir.resolve("input"));
    assertEquals(List.of("insurance/commitment.key", "insurance/policy.yaml", "insurance/real.csv", "insurance/synthetic.csv"),
        List.copyOf(inputs.keySet()));
    assertEquals(commitment(folder.resolve("synthetic.csv")), inputs.get("insurance/synthetic.csv"));
    assertEquals("age,charges\n30,1000\n", Files.readString(dir.resolve("input/insurance/synthetic.csv")));
    assertEquals(List.of("commitment.key", "policy.yaml", "real.csv", "synthetic.csv"), names(dir.resolve("input/insurance")));
  }

  @Test
  void stage_aSyntheticFileThePolicyDoesNotOffer_isLeftOut() throws Exception {
    String policy = Files.readString(INSURANCE.resolve("policy.yaml"))
        .replace("views: [dp-query, synthetic, mock]", "views: [dp-query, mock]");
    SortedMap<String, Sha256> inputs = DatasetInputs.stage(providerFolder(policy), java.util.Optional.empty(), dir.resolve("input"));
    assertEquals(List.of("insurance/commitment.key", "insurance/policy.yaml", "insurance/real.csv"), List.copyOf(inputs.keySet()));
    assertEquals(List.of("commitment.key", "policy.yaml", "real.csv"), names(dir.resolve("input/insurance")));
  }

  @Test
  void stage_theRealCsvWithAViewsFolderPolicy_takesTheSyntheticViewBesideThePolicy() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.copy(INSURANCE.resolve("real.csv"), data.resolve("real.csv"));
    Files.writeString(data.resolve("synthetic.csv"), "not the views folder's\n");
    Path views = Files.createDirectories(dir.resolve("views/insurance"));
    Files.copy(INSURANCE.resolve("policy.yaml"), views.resolve("policy.yaml"));
    Files.writeString(views.resolve("synthetic.csv"), "age,charges\n30,1000\n");
    SortedMap<String, Sha256> inputs = DatasetInputs.stage(data.resolve("real.csv"), java.util.Optional.of(views.resolve("policy.yaml")),
        dir.resolve("input"));
    assertEquals(commitment(views.resolve("synthetic.csv")), inputs.get("insurance/synthetic.csv"));
  }

  @Test
  void stage_aProvisionedViewsFolder_usesTheProvidersKeySoTheCommitmentsAreThePublishedOnes() throws Exception {
    Path views = Files.createDirectories(dir.resolve("views"));
    Files.copy(INSURANCE.resolve("policy.yaml"), views.resolve("policy.yaml"));
    byte[] providerKey = InputCommitment.loadOrCreateKey(views);
    SortedMap<String, Sha256> inputs = DatasetInputs.stage(INSURANCE.resolve("real.csv"), java.util.Optional.of(views.resolve("policy.yaml")),
        dir.resolve("input"));
    assertEquals(new Sha256(InputCommitment.of(providerKey, INSURANCE.resolve("real.csv"))), inputs.get("insurance/real.csv"));
  }

  /** The commitment of a file under the key staged with the inputs. */
  private Sha256 commitment(Path file) throws IOException {
    return new Sha256(InputCommitment.of(InputCommitment.readKey(dir.resolve("input/insurance/commitment.key")), file));
  }

  private static List<String> names(Path folder) throws IOException {
    try (var list = Files.list(folder)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
