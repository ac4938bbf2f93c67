package dev.cleanroom.bridge.datasets;

import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.provision.InputCommitment;
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
 * a job can compare its results on synthetic and real rows), and the dataset's commitment key. The bridge itself never
 * opens the real rows: it hands their location to the TEE platform and their commitment, as the provider recorded it
 * when provisioning ({@code provision.json}), to the launcher, which refuses any other content. Every input is named
 * by its commitment under the dataset's key ({@code InputCommitment}), never a bare sha256: the launch environment is
 * attested in the public token, and the deployment's trust file publishes these commitments.
 *
 * @param data the real rows: a {@code file:} URI (local simulator) or an object URI such as {@code gs://...}
 * @param dataCommitment hex, from the provisioning record; empty when the views folder has none
 * @param policyFile the provisioned {@code policy.yaml}, the policy in force
 * @param policyCommitment hex, of {@code policyFile}
 * @param synthetic the views folder's {@code synthetic.csv}, when the policy offers the synthetic view
 * @param key the views folder's {@code commitment.key}, with its own commitment
 */
public record CatalogDataset(DatasetPolicy policy, URI data, Optional<String> dataCommitment, Path policyFile,
    String policyCommitment, Optional<ViewFile> synthetic, ViewFile key) {
  /**
   * The launcher's input folder holds each dataset as {@code <dataset>/real.csv}, {@code <dataset>/policy.yaml},
   * {@code <dataset>/commitment.key} and, when offered, {@code <dataset>/synthetic.csv}.
   */
  public static final String REAL_ROWS = "real.csv";
  public static final String POLICY = "policy.yaml";
  public static final String SYNTHETIC_ROWS = "synthetic.csv";

  /** A file of the provisioned views folder, with its commitment (hex) as the bridge read it when it opened the dataset. */
  public record ViewFile(Path file, String commitment) {}

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
    inputs.put(name() + "/" + InputCommitment.KEY_FILE, key.file().toUri());
    return inputs;
  }

  /**
   * The commitment (hex) the launcher must find for each input of this dataset, by its name in the input folder: what
   * the deployment's trust file publishes.
   */
  public Map<String, String> inputCommitments() throws IOException {
    String real = dataCommitment.orElseThrow(() -> new IOException("dataset '" + name() + "' has no provisioning"
        + " record (provision.json) with its data's commitment; provision it with 'dcr provision'"));
    Map<String, String> commitments = new LinkedHashMap<>();
    commitments.put(name() + "/" + REAL_ROWS, real);
    commitments.put(name() + "/" + POLICY, policyCommitment);
    synthetic.ifPresent(view -> commitments.put(name() + "/" + SYNTHETIC_ROWS, view.commitment()));
    commitments.put(name() + "/" + InputCommitment.KEY_FILE, key.commitment());
    return commitments;
  }
}
