package dev.cleanroom.tee.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.manifest.JobOutcome;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import dev.cleanroom.tee.LocalRuns;
import dev.cleanroom.tee.TestNotebooks;
import dev.cleanroom.tee.api.ApprovedInputs;
import dev.cleanroom.tee.api.BuiltImage;
import dev.cleanroom.tee.api.JobConfig;
import dev.cleanroom.tee.api.SimulatedRun;
import dev.cleanroom.tee.api.TeeSimulator;
import dev.cleanroom.tee.simulator.DatasetInputs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #14, in the simulator under runc: an image approved for the insurance dataset, run by an operator on a changed copy
 * of it (one person's row left out, the differencing attack) with {@code DCR_INPUTS} naming the copy's commitments.
 * The launcher in the image refuses it, attested, before the notebook reads a row.
 */
class ApprovedInputsIT {
  @TempDir Path dir;

  @Test
  void anImageApprovedForTheDataset_runOnAChangedCopy_isRefusedAttested_andTheNotebookReadsNothing() throws Exception {
    assumeTrue(LocalRuns.runc(), "runc isolation needs root with runc and umoci (./dcr test installs them as root)");
    SortedMap<String, Sha256> approved = DatasetInputs.stage(LocalRuns.INSURANCE, Optional.empty(), dir.resolve("approved"));
    Path notebook = TestNotebooks.write(dir.resolve("notebook.ipynb"),
        "Dcr.output(\"rows.txt\").write(\"rows \" + Dcr.dataset(\"insurance\").table().rowCount());");
    BuiltImage image = LocalRuns.builder().build(notebook, ApprovedInputs.of(approved), dir.resolve("image"));

    Path copy = Files.createDirectories(dir.resolve("copy"));
    List<String> rows = Files.readAllLines(LocalRuns.INSURANCE.resolve("real.csv"));
    Files.write(copy.resolve("real.csv"), rows.subList(0, rows.size() - 1));
    Files.copy(LocalRuns.INSURANCE.resolve("policy.yaml"), copy.resolve("policy.yaml"));
    SortedMap<String, Sha256> operators = DatasetInputs.stage(copy, Optional.empty(), dir.resolve("input"));
    assertEquals(approved.keySet(), operators.keySet(), "the copy's inputs have the approved names");
    assertNotEquals(approved.get("insurance/real.csv"), operators.get("insurance/real.csv"));

    SimulatedRun run;
    try (TeeSimulator tee = TeeSimulator.start(SimulatorKeys.ephemeral(), SimulatedWorkload.Isolation.RUNC, dir.resolve("runs"))) {
      run = tee.run(image.layout().orElseThrow(), JobConfig.of("job-operator", operators), dir.resolve("input"),
          dir.resolve("out"), line -> System.err.println("run: " + line));
    }
    JobManifest manifest = LocalRuns.manifest(run.jobFolder());
    assertEquals(JobOutcome.failed(Launcher.INPUTS_NOT_APPROVED), manifest.outcome());
    assertEquals(image.digest(), manifest.imageDigest(), "the refusal is attested by the approved image");
    assertEquals(List.of(), List.copyOf(manifest.inputs().keySet()), "no input was read");
    assertFalse(Files.exists(run.jobFolder().resolve("outputs/rows.txt")), "the notebook ran");
  }
}
