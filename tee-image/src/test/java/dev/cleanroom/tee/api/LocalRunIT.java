package dev.cleanroom.tee.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.manifest.JobOutcome;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.trust.DeploymentTrust;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.attestation.verify.AttestationVerifier;
import dev.cleanroom.attestation.verify.CheckName;
import dev.cleanroom.attestation.verify.ImageRebuilder;
import dev.cleanroom.attestation.verify.Verification;
import dev.cleanroom.attestation.verify.VerificationOptions;
import dev.cleanroom.tee.LocalRuns;
import dev.cleanroom.tee.TestNotebooks;
import dev.cleanroom.tee.rebuild.NotebookImageRebuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dcr run-local}: build, run in the simulator, report, verify — on a small notebook (shared by the
 * tests below), on the regression tutorial, and as a plain process.
 */
class LocalRunIT {
  @TempDir static Path dir;
  @TempDir static Path work;
  private static LocalRun.Result small;

  @BeforeAll
  static void aSmallNotebookRanLocally() throws Exception {
    small = LocalRuns.run(dir, work, TestNotebooks.of(
        "var t = Dcr.dataset(\"insurance\").table();",
        "Dcr.output(\"rows.txt\").write(\"rows \" + t.rowCount() + \"\\n\");",
        "display(Charts.histogram(t, \"charges\"));"),
        LocalRun.JobSettings.defaults(), TeeSimulator.bestIsolation());
  }

  @Test
  void runLocal_fillsTheJobFolderWithWhatAJobReturns() throws Exception {
    assertEquals(List.of("executed.ipynb", "jwks.json", "logs", "manifest.json", "notebook.ipynb", "outputs", "report.json",
        "token.jwt"), LocalRuns.entries(small.jobFolder()));
    JobManifest manifest = LocalRuns.manifest(small.jobFolder());
    assertEquals(JobOutcome.succeeded(), manifest.outcome());
    assertEquals(small.image().digest(), manifest.imageDigest());
    assertEquals("rows 1338\n", Files.readString(small.jobFolder().resolve("outputs/rows.txt")));
    assertTrue(Files.readString(small.jobFolder().resolve("executed.ipynb")).contains("image/png"), "the chart was drawn in the image");
    assertTrue(JobFolder.at(small.jobFolder()).readReport().jwks().isPresent(), "report.json archives the issuer's keys");
  }

  @Test
  void verify_allowingTheSimulator_passes() throws Exception {
    assertTrue(small.verification().passed(), small.verification().failures().toString());
    Verification again = AttestationVerifier.create().verify(JobFolder.at(small.jobFolder()), allowSimulator(small).build());
    assertTrue(again.passed(), again.failures().toString());
    assertTrue(again.orThrow().simulated());
  }

  @Test
  void verify_strictly_refusesTheReportAsSimulated() throws Exception {
    Verification strict = AttestationVerifier.create().verify(JobFolder.at(small.jobFolder()), 
        VerificationOptions.builder().trust(small.trust()).build());
    assertFalse(strict.passed());
    List<CheckName> failed = strict.failures().stream().map(c -> c.name()).toList();
    assertTrue(failed.containsAll(List.of(CheckName.ISSUER, CheckName.SOFTWARE, CheckName.HARDWARE)), failed.toString());
    assertTrue(strict.check(CheckName.ISSUER).orElseThrow().reason().contains("pass --allow-simulator"),
        strict.check(CheckName.ISSUER).toString());
  }

  @Test
  void verifyRebuild_onAFreshReport_rebuildsTheAttestedImage() throws Exception {
    ImageRebuilder registered = ServiceLoader.load(ImageRebuilder.class).findFirst().orElseThrow();
    assertInstanceOf(NotebookImageRebuilder.class, registered, "dcr verify --rebuild finds tee-image's rebuilder");
    Verification rebuilt = AttestationVerifier.create().verify(JobFolder.at(small.jobFolder()),
        allowSimulator(small).rebuildWith(registered).build());
    assertTrue(rebuilt.passed(), rebuilt.failures().toString());
    assertTrue(rebuilt.check(CheckName.REBUILD).orElseThrow().passed());
  }

  @Test
  void verifyRebuild_aNotebookEditedAfterTheRun_isRefused() throws Exception {
    Path copy = Files.createDirectories(work.resolve("edited"));
    try (var files = Files.walk(small.jobFolder())) {
      for (Path file : files.toList()) {
        Path target = copy.resolve(small.jobFolder().relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
    Files.writeString(copy.resolve(JobFolder.NOTEBOOK), "\n", java.nio.file.StandardOpenOption.APPEND);
    Verification edited = AttestationVerifier.create().verify(JobFolder.at(copy),
        allowSimulator(small).rebuildWith(new NotebookImageRebuilder()).build());
    var rebuild = edited.check(CheckName.REBUILD).orElseThrow();
    assertFalse(rebuild.passed());
    assertTrue(rebuild.reason().contains("differs from the attested"), rebuild.reason());
  }

  @Test
  void runLocal_theRegressionTutorial_reportsSyntheticAndRealRmsesAndVerifies(@TempDir Path tutorialDir,
      @TempDir Path tutorialWork) throws Exception {
    Path tutorial = Path.of("..", "notebooks", "insurance-regression.ipynb");
    LocalRun.Result result = LocalRuns.run(tutorialDir, tutorialWork, Files.readAllBytes(tutorial),
        LocalRun.JobSettings.defaults(), TeeSimulator.bestIsolation());
    JobManifest manifest = LocalRuns.manifest(result.jobFolder());
    assertEquals(JobOutcome.succeeded(), manifest.outcome());
    assertEquals(List.of("insurance/commitment.key", "insurance/policy.yaml", "insurance/real.csv", "insurance/synthetic.csv"),
        List.copyOf(manifest.inputs().keySet()), "the synthetic view the policy offers is an attested input");
    assertTrue(manifest.outputs().keySet().containsAll(List.of("outputs/metrics.json", "outputs/linear-model.txt")),
        manifest.outputs().keySet().toString());
    JsonNode metrics = new ObjectMapper().readTree(result.jobFolder().resolve("outputs/metrics.json").toFile());
    assertEquals("execution", metrics.path("stage").asText());
    assertEquals(1334, metrics.path("synthetic").path("rows").asInt(), metrics.toString());
    assertEquals(1338, metrics.path("real").path("rows").asInt(), metrics.toString());
    assertEquals(1338, metrics.path("synthetic_model_on_real").path("rows").asInt(), metrics.toString());
    // Least squares is exact and both tables are fixed, so the linear RMSEs are known: fitted on the real rows
    // 4,771 on their hold-out; fitted on this synthetic view (the published MST output, a weak one) 13,046 on its
    // own hold-out and 10,425 on the real one.
    assertEquals(13_046.0, metrics.path("synthetic").path("rmse_linear").asDouble(), 0.5, metrics.toString());
    assertEquals(4_771.4, metrics.path("real").path("rmse_linear").asDouble(), 0.5, metrics.toString());
    assertEquals(10_424.7, metrics.path("synthetic_model_on_real").path("rmse_linear").asDouble(), 0.5, metrics.toString());
    for (String scores : List.of("synthetic", "real", "synthetic_model_on_real")) {
      double trees = metrics.path(scores).path("rmse_trees").asDouble();
      assertTrue(trees > 1_000 && trees < 20_000, scores + " trees " + trees);
    }
    assertTrue(result.verification().passed(), result.verification().failures().toString());
  }

  @Test
  void runLocal_asAPlainProcess_isAttestedAsUnisolated(@TempDir Path processDir, @TempDir Path processWork) throws Exception {
    SimulatedWorkload.Isolation process = SimulatedWorkload.Isolation.PROCESS;
    LocalRun.Result result = LocalRuns.run(processDir, processWork, TestNotebooks.of("Dcr.output(\"x.txt\").write(\"x\");"),
        LocalRun.JobSettings.defaults(), process);
    assertEquals(JobOutcome.succeeded(), LocalRuns.manifest(result.jobFolder()).outcome());
    assertTrue(result.verification().passed(), "run-local accepts the hardware model it chose");
    Verification simulatorOnly = AttestationVerifier.create().verify(JobFolder.at(result.jobFolder()), allowSimulator(result).build());
    assertEquals(List.of(CheckName.HARDWARE), simulatorOnly.failures().stream().map(c -> c.name()).toList());
    Verification allowed = AttestationVerifier.create().verify(JobFolder.at(result.jobFolder()),
        allowSimulator(result).allowHardwareModel(process.hardwareModel()).build());
    assertTrue(allowed.passed(), allowed.failures().toString());
  }

  /** As an auditor checks a run-local report: with the run's own trust file. */
  private static VerificationOptions.Builder allowSimulator(LocalRun.Result run) {
    return VerificationOptions.builder().allowSimulator().trust(run.trust());
  }
}
