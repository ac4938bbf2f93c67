package dev.cleanroom.bridge.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.dp.provision.InputCommitment;
import dev.cleanroom.dp.provision.ProvisionedDataset;
import dev.cleanroom.dp.provision.Provisioner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository's insurance dataset (datasets/insurance) as its provider leaves it for the bridge: a views folder
 * with the policy, the synthetic view it offers (the published DP synthetic rows, anchor-mst-synthetic.csv) and the
 * provisioning record (the real rows' sha256), and the real rows in the provider's folder; and what the tests with
 * the real TEE image need from the tee-image module.
 */
public final class RealInsurance {
  public static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
  /** The launcher bundle tee-image builds (its jar and libraries, what an image's /app/lib holds). */
  public static final Path LAUNCHER_BUNDLE = REPOSITORY.resolve("tee-image/target/launcher");

  private RealInsurance() {}

  /** Provisions the dataset under {@code dir} and returns it as a {@code --dataset NAME=VIEWS:DATA} value. */
  public static String provision(Path dir) throws IOException {
    Path source = REPOSITORY.resolve("datasets/insurance");
    Path data = Files.createDirectories(dir.resolve("provider")).resolve("real.csv");
    Files.copy(source.resolve("real.csv"), data);
    Path views = Files.createDirectories(dir.resolve("views/insurance"));
    Files.copy(source.resolve("policy.yaml"), views.resolve(ProvisionedDataset.POLICY_FILE));
    Files.copy(source.resolve("anchor-mst-synthetic.csv"), views.resolve("synthetic.csv"));
    Files.writeString(views.resolve(Provisioner.RECORD_FILE), """
        {"dataset": "insurance", "tool": "test", "provisionedAt": "2026-03-01T12:00:00Z", "policySha256": "%s",
         "dataCommitment": "%s", "views": [], "syntheticSpent": {"epsilon": 0, "delta": 0},
         "totalSyntheticSpent": {"epsilon": 0, "delta": 0}, "runs": 1}
        """.formatted(Sha256.of(views.resolve(ProvisionedDataset.POLICY_FILE)).hex(), InputCommitment.of(InputCommitment.loadOrCreateKey(views), data)),
        StandardCharsets.UTF_8);
    return "insurance=" + views + ":" + data;
  }

  /** Fails (never skips) when tee-image has not been built: ./dcr test builds it before this module. */
  public static void requireTeeImage() {
    if (!Files.isDirectory(LAUNCHER_BUNDLE.resolve("lib"))) {
      fail("The TEE image tests need tee-image's launcher bundle in " + LAUNCHER_BUNDLE + "; build it with ./dcr build"
          + " (./dcr test builds it before the job bridge)");
    }
  }

  /** A notebook that reads the real rows and the synthetic view and writes one output, as a scientist's would. */
  public static byte[] notebook() {
    return """
        {
         "cells": [
          {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": ["# How many people\\n", "Counts the rows of the real data."]},
          {"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": null, "outputs": [],
           "source": ["var t = Dcr.dataset(\\"insurance\\").table();"]},
          {"cell_type": "code", "id": "c2", "metadata": {}, "execution_count": null, "outputs": [],
           "source": ["Dcr.output(\\"rows.txt\\").write(\\"rows \\" + t.rowCount() + \\", synthetic \\"",
                      " + Dcr.dataset(\\"insurance\\").synthetic().rowCount() + \\"\\\\n\\");"]}
         ],
         "metadata": {"kernelspec": {"display_name": "Java (clean room)", "language": "java", "name": "dcr-java"}},
         "nbformat": 4,
         "nbformat_minor": 5
        }
        """.getBytes(StandardCharsets.UTF_8);
  }
}
