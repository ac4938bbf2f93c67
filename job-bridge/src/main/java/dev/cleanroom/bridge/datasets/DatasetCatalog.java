package dev.cleanroom.bridge.datasets;

import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.policy.View;
import dev.cleanroom.dp.provision.InputCommitment;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import dev.cleanroom.dp.provision.Provisioner;
import dev.cleanroom.dp.provision.ProvisioningRecord;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The datasets jobs may read, by name, each with the policy from its provisioned views folder
 * ({@code policy.yaml}, written by {@code dcr provision}; the owner there is the provider who reviews jobs on
 * it), the real data's commitment from the provisioning record beside it ({@code provision.json}), the dataset's
 * commitment key ({@code commitment.key}) and, when the policy offers that view, the folder's {@code synthetic.csv}.
 * No other file of the views folder reaches a job.
 */
public final class DatasetCatalog {
  private final Map<String, CatalogDataset> byName;

  private DatasetCatalog(Map<String, CatalogDataset> byName) {
    this.byName = byName;
  }

  public static DatasetCatalog of(List<CatalogDataset> datasets) {
    Map<String, CatalogDataset> byName = new LinkedHashMap<>();
    for (CatalogDataset d : datasets) {
      if (byName.put(d.name(), d) != null) {
        throw new IllegalArgumentException("Dataset '" + d.name() + "' is named twice; give each dataset once");
      }
    }
    return new DatasetCatalog(Map.copyOf(byName));
  }

  /**
   * Reads {@code NAME=VIEWS_DIR:DATA}: the views folder {@code dcr provision} wrote (its policy.yaml is the one
   * enforced) and the real data's location, a local path or a URI such as {@code gs://bucket/real.csv}.
   */
  public static CatalogDataset open(String spec) throws IOException {
    int equals = spec.indexOf('=');
    int colon = spec.indexOf(':', equals + 1);
    if (equals <= 0 || colon < 0) {
      throw new IllegalArgumentException("--dataset takes NAME=VIEWS_DIR:DATA, got '" + spec + "'");
    }
    String name = spec.substring(0, equals);
    Path views = Path.of(spec.substring(equals + 1, colon));
    String data = spec.substring(colon + 1);
    Path policyFile = views.resolve(ProvisionedDataset.POLICY_FILE);
    if (!Files.isRegularFile(policyFile)) {
      throw new IOException(views + " holds no " + ProvisionedDataset.POLICY_FILE + "; provision the dataset first"
          + " ('dcr provision --data <csv> --policy <policy.yaml> --out " + views + "')");
    }
    DatasetPolicy policy = PolicyFile.read(policyFile);
    Path keyFile = views.resolve(InputCommitment.KEY_FILE).toAbsolutePath().normalize();
    if (!Files.isRegularFile(keyFile)) {
      throw new IOException(views + " holds no " + InputCommitment.KEY_FILE + " (the dataset's commitment key); provision"
          + " the dataset again ('dcr provision --data <csv> --policy <policy.yaml> --out " + views + "') and publish the"
          + " deployment's new trust file");
    }
    byte[] key = InputCommitment.readKey(keyFile);
    Optional<CatalogDataset.ViewFile> synthetic = Optional.empty();
    Optional<Path> syntheticFile = ProvisionedDataset.viewFile(policy, views, View.SYNTHETIC);
    if (syntheticFile.isPresent()) {
      Path file = syntheticFile.get().toAbsolutePath().normalize();
      synthetic = Optional.of(new CatalogDataset.ViewFile(file, InputCommitment.of(key, file)));
    }
    CatalogDataset dataset = new CatalogDataset(policy,
        data.contains("://") ? URI.create(data) : Path.of(data).toAbsolutePath().normalize().toUri(),
        Provisioner.readRecord(views).map(ProvisioningRecord::dataCommitment), policyFile.toAbsolutePath().normalize(),
        InputCommitment.of(key, policyFile), synthetic, new CatalogDataset.ViewFile(keyFile, InputCommitment.of(key, keyFile)));
    if (!dataset.name().equals(name)) {
      throw new IllegalArgumentException("--dataset " + name + "=...: that folder was provisioned for dataset '"
          + dataset.name() + "'; name it " + dataset.name());
    }
    return dataset;
  }

  public Optional<CatalogDataset> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public List<CatalogDataset> all() {
    return byName.values().stream().sorted(java.util.Comparator.comparing(CatalogDataset::name)).toList();
  }
}
