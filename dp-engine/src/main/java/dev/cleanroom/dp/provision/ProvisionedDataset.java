package dev.cleanroom.dp.provision;

import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.policy.View;
import dev.cleanroom.dp.table.PrivateTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A dataset as the DP query service serves it: the policy it was provisioned with, the folder of its
 * stage-1 views (written by {@link Provisioner}), and the real rows.
 *
 * <p>The policy is read from the views folder, not from the provider's working copy, so the service
 * always enforces the policy the views were made under; changing a policy means provisioning again.
 */
public record ProvisionedDataset(DatasetPolicy policy, Path viewsDir, PrivateTable table) {
  public static final String POLICY_FILE = "policy.yaml";

  /** Opens a provisioned views folder and the real CSV it was made from. */
  public static ProvisionedDataset open(Path viewsDir, Path realCsv) throws IOException {
    Path policyFile = viewsDir.resolve(POLICY_FILE);
    if (!Files.isRegularFile(policyFile)) {
      throw new IOException(viewsDir + " holds no " + POLICY_FILE + "; run 'dcr provision --data <csv> --policy "
          + "<policy.yaml> --out " + viewsDir + "' first");
    }
    DatasetPolicy policy = PolicyFile.read(policyFile);
    return new ProvisionedDataset(policy, viewsDir, PrivateTable.load(realCsv, policy));
  }

  public String name() {
    return policy.dataset();
  }

  /** The CSV file of a row view ({@link View#SYNTHETIC} or {@link View#MOCK}) if the policy turned it on. */
  public Optional<Path> viewFile(View view) {
    return viewFile(policy, viewsDir, view);
  }

  /**
   * The CSV file of a row view in a views folder provisioned under {@code policy}, if the policy turned the
   * view on and the file is there. The one rule for every reader of a views folder: the DP query service, and
   * the stage-2 inputs (which take the synthetic view the scientist could already see, never the real rows).
   */
  public static Optional<Path> viewFile(DatasetPolicy policy, Path viewsDir, View view) {
    if (view == View.DP_QUERY || !policy.allows(view)) {
      return Optional.empty();
    }
    Path file = viewsDir.resolve(view.id() + ".csv");
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
  }
}
