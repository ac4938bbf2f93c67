package dev.cleanroom.bridge.datasets;

import dev.cleanroom.dp.policy.DatasetPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A provisioned dataset as the bridge knows it: the policy it was provisioned with (who owns it, who may use
 * it, whether outputs wait for release) and the job inputs it gives the TEE: its real rows and its policy file.
 * The bridge itself never opens the real rows: it hands their location to the TEE platform and their sha256, as
 * the provider recorded it when provisioning ({@code provision.json}), to the launcher, which refuses any other
 * content.
 *
 * @param data the real rows: a {@code file:} URI (local simulator) or an object URI such as {@code gs://...}
 * @param dataSha256 hex, from the provisioning record; empty when the views folder has none
 * @param policyFile the provisioned {@code policy.yaml}, the policy in force
 * @param policySha256 hex, of {@code policyFile}
 */
public record CatalogDataset(DatasetPolicy policy, URI data, Optional<String> dataSha256, Path policyFile,
    String policySha256) {
  /** The launcher's input folder holds each dataset as {@code <dataset>/real.csv} and {@code <dataset>/policy.yaml}. */
  public static final String REAL_ROWS = "real.csv";
  public static final String POLICY = "policy.yaml";

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
    return inputs;
  }
}
