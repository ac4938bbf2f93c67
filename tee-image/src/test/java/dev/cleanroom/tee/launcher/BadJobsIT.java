package dev.cleanroom.tee.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.manifest.JobOutcome;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.tee.LocalRuns;
import dev.cleanroom.tee.TestNotebooks;
import dev.cleanroom.tee.api.JobConfig;
import dev.cleanroom.tee.api.LocalRun;
import dev.cleanroom.tee.api.TeeSimulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs that go wrong, run in the simulator: each ends with an attested manifest whose outcome says why,
 * a report that verifies (it proves what happened), and nothing written outside the job folder.
 */
class BadJobsIT {
  @TempDir Path dir;
  @TempDir Path work;

  private JobManifest run(byte[] notebook, LocalRun.JobSettings settings) throws Exception {
    LocalRun.Result result = LocalRuns.run(dir, work, notebook, settings, TeeSimulator.bestIsolation());
    assertTrue(result.verification().passed(), result.verification().failures().toString());
    assertEquals(List.of("data", "notebook.ipynb", "out"), LocalRuns.entries(dir), "nothing appeared beside the job folder");
    return LocalRuns.manifest(result.jobFolder());
  }

  private String executed() throws Exception {
    return Files.readString(dir.resolve("out").resolve(JobFolder.EXECUTED_NOTEBOOK));
  }

  @Test
  void anInvalidNotebook_failsWithoutRunning() throws Exception {
    JobManifest manifest = run("{\"cells\": [".getBytes(StandardCharsets.UTF_8), LocalRun.JobSettings.defaults());
    assertEquals(JobOutcome.failed("the notebook is not JSON; it did not run"), manifest.outcome());
    assertEquals(List.of("executed.ipynb"), List.copyOf(manifest.outputs().keySet()));
  }

  @Test
  void aFailingCell_failsNamingTheCell() throws Exception {
    JobManifest manifest = run(TestNotebooks.of("int rows = Dcr.dataset(\"insurance\").table().rowCount();",
        "Object missing = null;\nmissing.toString();", "Dcr.output(\"never.txt\").write(\"x\");"), LocalRun.JobSettings.defaults());
    assertEquals(JobOutcome.failed("code cell 2 raised an error; the executed notebook shows it (an output, released after review)"),
        manifest.outcome());
    assertTrue(executed().contains("NullPointerException"), "the error is in the executed notebook");
    assertTrue(manifest.outputs().keySet().stream().noneMatch(k -> k.startsWith("outputs/")), manifest.outputs().toString());
  }

  @Test
  void aCellThatNeverEnds_timesOutAtTheCellLimit() throws Exception {
    // 8 s, not less: cell 1 is the first a fresh JShell compiles, which takes seconds on a loaded machine.
    LocalRun.JobSettings settings = new LocalRun.JobSettings(Duration.ofSeconds(8), JobConfig.DEFAULT_TIMEOUT,
        JobConfig.DEFAULT_MAX_OUTPUT_BYTES);
    JobManifest manifest = run(TestNotebooks.of("int x = 1;", "while (true) { x++; }"), settings);
    assertEquals(JobOutcome.timedOut("code cell 2 ran past the per-cell limit of 8 s and was stopped"), manifest.outcome());
  }

  @Test
  void anOutputNamedWithDotDot_failsAndWritesNothingOutside() throws Exception {
    JobManifest manifest = run(TestNotebooks.of("Dcr.output(\"../escape.txt\").write(\"x\");"), LocalRun.JobSettings.defaults());
    assertEquals(JobOutcome.Status.FAILED, manifest.outcome().status());
    assertTrue(manifest.outcome().reason().startsWith("code cell 1 raised an error"), manifest.outcome().reason());
    assertTrue(executed().contains("contains '..'"), "the SDK's refusal is in the executed notebook");
  }

  @Test
  void anOutputWithAnAbsoluteName_failsAndWritesNothingOutside() throws Exception {
    JobManifest manifest = run(TestNotebooks.of("Dcr.output(\"/tmp/absolute.txt\").write(\"x\");"), LocalRun.JobSettings.defaults());
    assertTrue(manifest.outcome().reason().startsWith("code cell 1 raised an error"), manifest.outcome().reason());
    assertTrue(executed().contains("is absolute"), "the SDK's refusal is in the executed notebook");
  }

  @Test
  void aFileWrittenBesideTheOutputs_isDeletedAndFailsTheJob() throws Exception {
    JobManifest manifest = run(TestNotebooks.of(
        "Path jobFolder = Path.of(System.getenv(\"DCR_OUTPUT_DIR\")).getParent();",
        "Files.writeString(jobFolder.resolve(\"manifest.json\"), \"{\\\"forged\\\": true}\");"),
        LocalRun.JobSettings.defaults());
    assertEquals(JobOutcome.failed(OutputCollector.Problem.OUTSIDE_OUTPUTS.sentence(JobConfig.DEFAULT_MAX_OUTPUT_BYTES)),
        manifest.outcome());
  }

  @Test
  void outputsOverTheLimit_areDeletedAndFailTheJob() throws Exception {
    LocalRun.JobSettings settings = new LocalRun.JobSettings(JobConfig.DEFAULT_CELL_TIMEOUT, JobConfig.DEFAULT_TIMEOUT, 200_000);
    JobManifest manifest = run(TestNotebooks.of("Dcr.output(\"big.bin\").write(new byte[300_000]);"), settings);
    assertEquals(JobOutcome.Status.FAILED, manifest.outcome().status());
    assertTrue(manifest.outcome().reason().endsWith(OutputCollector.Problem.TOO_LARGE.sentence(200_000)), manifest.outcome().reason());
    assertEquals(List.of("executed.ipynb"), List.copyOf(manifest.outputs().keySet()));
    assertEquals(Files.readString(dir.resolve("notebook.ipynb")), executed(), "only the unexecuted notebook is returned");
  }

  /**
   * Security review after #14, point 2: folders named after a value that the launcher cannot walk by path (mode 000,
   * and a chain deeper than a path may be long) made it throw an exception naming them into the run's log, and no
   * token was issued. Now the outputs are deleted and the run is attested as failed for a fixed reason.
   */
  @Test
  void outputFoldersTheLauncherCannotWalk_areDeleted_andTheFailureIsAttested() throws Exception {
    JobManifest manifest = run(TestNotebooks.of("""
        String n = "v" + Dcr.dataset("insurance").table().rowCount() + "-" + "x".repeat(190);
        Path out = Path.of(System.getenv("DCR_OUTPUT_DIR"));
        Path deep = out.resolve("a");
        Path chain = out.getParent().resolve("chain");
        for (int i = 0; i < 12; i++) { deep = deep.resolve(n + i); chain = chain.resolve(n + i); }
        Files.createDirectories(deep);
        Files.createDirectories(chain);
        Files.move(out.getParent().resolve("chain"), deep.resolve("m"));
        Path closed = Files.createDirectories(out.resolve(n.substring(0, 20)));
        Files.setPosixFilePermissions(closed, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        """), LocalRun.JobSettings.defaults());
    assertEquals(JobOutcome.failed(OutputCollector.Problem.UNREADABLE.sentence(JobConfig.DEFAULT_MAX_OUTPUT_BYTES)),
        manifest.outcome());
    assertEquals(List.of("executed.ipynb"), List.copyOf(manifest.outputs().keySet()));
  }
}
