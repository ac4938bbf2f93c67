package dev.cleanroom.bridge.datasets;

import dev.cleanroom.dp.policy.DatasetPolicy;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A provisioned dataset as the bridge knows it: the policy it was provisioned with (who owns it, who may use
 * it, whether outputs wait for release) and the job inputs it gives the TEE: its real rows, its policy file and,
 * when the policy offers it, its synthetic view (a DP release the scientist may already see in stage 1, so that
 * a job can compare its results on synthetic and real rows). The bridge itself never opens the real rows: it hands
 * their location to the TEE platform and their sha256, as the provider recorded it when provisioning
 * ({@code provision.json}), to the launcher, which refuses any other content.
 *
 * @param data the real rows: a {@code file:} URI (local simulator) or an object URI such as {@code gs://...}
 * @param dataSha256 hex, from the provisioning record; empty when the views folder has none
 * @param policyFile the provisioned {@code policy.yaml}, the policy in force
 * @param policySha256 hex, of {@code policyFile}
 * @param synthetic the views folder's {@code synthetic.csv}, when the policy offers the synthetic view
 */
public record CatalogDataset(DatasetPolicy policy, URI data, Optional<String> dataSha256, Path policyFile,
    String policySha256, Optional<ViewFile> synthetic) {
  /**
   * The launcher's input folder holds each dataset as {@code <dataset>/real.csv}, {@code <dataset>/policy.yaml}
   * and, when offered, {@code <dataset>/synthetic.csv}.
   */
  public static final String REAL_ROWS = "real.csv";
  public static final String POLICY = "policy.yaml";
  public static final String SYNTHETIC_ROWS = "synthetic.csv";

  /** A file of the provisioned views folder, with its sha256 (hex) as the bridge read it when it opened the dataset. */
  public record ViewFile(Path file, String sha256) {}

  public String name() {
    return policy.dataset();
  }

  public String owner() {
    return policy.owner();
  }

  /** The job inputs of this dataset, by their name in the launcher's input folder, with where each comes from. */
  public Map<String, URI> inputLocations() {
    Map<String, URI> inputs = new LinkedHashMap<>();
    inputs.put(name() + "/" + REAL_ROWS, data);
    inputs.put(name() + "/" + POLICY, policyFile.toUri());
    synthetic.ifPresent(view -> inputs.put(name() + "/" + SYNTHETIC_ROWS, view.file().toUri()));
    return inputs;
  }

  /** The sha256 (hex) the launcher must find for each input of this dataset, by its name in the input folder. */
  public Map<String, String> inputHashes() throws IOException {
    String sha256 = dataSha256.orElseThrow(() -> new IOException("dataset '" + name() + "' has no provisioning"
        + " record (provision.json) with its data's sha256; provision it with 'dcr provision'"));
    Map<String, String> hashes = new LinkedHashMap<>();
    hashes.put(name() + "/" + REAL_ROWS, sha256);
    hashes.put(name() + "/" + POLICY, policySha256);
    synthetic.ifPresent(view -> hashes.put(name() + "/" + SYNTHETIC_ROWS, view.sha256()));
    return hashes;
  }
}
