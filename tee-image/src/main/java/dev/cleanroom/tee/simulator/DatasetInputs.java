package dev.cleanroom.tee.simulator;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.policy.View;
import dev.cleanroom.dp.provision.InputCommitment;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import dev.cleanroom.tee.api.SimulationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A provider's dataset laid out as the launcher's input folder expects it: {@code <dataset>/real.csv},
 * {@code <dataset>/policy.yaml} and, when the policy offers the synthetic view, {@code <dataset>/synthetic.csv},
 * and the dataset's commitment key ({@code commitment.key}), with each file's commitment for the job. Taken from a CSV with its {@code policy.yaml} beside it (or given), or from a
 * folder holding both (such as {@code datasets/insurance}); the synthetic view is the {@code synthetic.csv}
 * beside the policy, as {@code dcr provision} leaves it in the views folder. No other file of the provider's
 * is staged: the synthetic rows are a DP release the scientist already saw in stage 1, the mock rows say
 * nothing, and anything else is not the job's. The key is the one {@code dcr provision} keeps beside the policy; a
 * dataset that was never provisioned gets a key of its own for this run, whose commitments only the run's trust
 * file names.
 */
public final class DatasetInputs {
  public static final String REAL_ROWS = "real.csv";
  public static final String POLICY = "policy.yaml";
  public static final String SYNTHETIC_ROWS = "synthetic.csv";

  private DatasetInputs() {}

  /**
   * Copies the dataset into {@code inputDir} (readable by the container's user) and returns the job's
   * inputs: name under {@code inputDir} → commitment under the dataset's key.
   *
   * @param dataset a CSV file, or a folder with {@code real.csv} and {@code policy.yaml}
   * @param policy the policy file, when not {@code policy.yaml} beside the data (such as a provisioned views
   *     folder's, whose {@code synthetic.csv} then goes with it)
   */
  public static SortedMap<String, Sha256> stage(Path dataset, Optional<Path> policy, Path inputDir) throws SimulationException {
    Path csv = Files.isDirectory(dataset) ? dataset.resolve(REAL_ROWS) : dataset;
    Path policyFile = policy.orElse(csv.toAbsolutePath().getParent().resolve(POLICY));
    if (!Files.isRegularFile(csv)) {
      throw new SimulationException("invalid_dataset", "Tried to read the dataset " + dataset + " but failed because: "
          + (Files.isDirectory(dataset) ? "the folder has no " + REAL_ROWS + " (a provisioned views folder holds no real"
          + " rows: give the real CSV with --dataset and the folder's policy with --policy)" : "there is no such file") + ".");
    }
    if (!Files.isRegularFile(policyFile)) {
      throw new SimulationException("invalid_dataset", "Tried to read the dataset's policy " + policyFile + " but failed"
          + " because: there is no such file. Put policy.yaml beside the CSV or name it with --policy.");
    }
    DatasetPolicy parsed;
    try {
      parsed = PolicyFile.read(policyFile);
    } catch (IOException | RuntimeException e) {
      throw new SimulationException("invalid_dataset", "Tried to read the dataset's policy " + policyFile + " but failed"
          + " because: " + e.getMessage(), e);
    }
    String name = parsed.dataset();
    try {
      Path dir = Files.createDirectories(inputDir.resolve(name));
      Files.setPosixFilePermissions(inputDir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      List<Path[]> files = new ArrayList<>(List.of(new Path[] {csv, dir.resolve(REAL_ROWS)},
          new Path[] {policyFile, dir.resolve(POLICY)}));
      ProvisionedDataset.viewFile(parsed, policyFile.toAbsolutePath().getParent(), View.SYNTHETIC)
          .ifPresent(synthetic -> files.add(new Path[] {synthetic, dir.resolve(SYNTHETIC_ROWS)}));
      Path providerKey = policyFile.toAbsolutePath().getParent().resolve(InputCommitment.KEY_FILE);
      if (Files.isRegularFile(providerKey)) {
        files.add(new Path[] {providerKey, dir.resolve(InputCommitment.KEY_FILE)});
      }
      for (Path[] file : files) {
        Files.copy(file[0], file[1]);
      }
      byte[] key = InputCommitment.loadOrCreateKey(dir);
      SortedMap<String, Sha256> inputs = new TreeMap<>();
      try (var staged = Files.list(dir)) {
        for (Path file : staged.sorted().toList()) {
          Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
          inputs.put(name + "/" + file.getFileName(), new Sha256(InputCommitment.of(key, file)));
        }
      }
      return inputs;
    } catch (IOException e) {
      throw new SimulationException("invalid_dataset", "Tried to stage the dataset " + name + " in " + inputDir
          + " but failed because: " + e.getMessage(), e);
    }
  }
}
