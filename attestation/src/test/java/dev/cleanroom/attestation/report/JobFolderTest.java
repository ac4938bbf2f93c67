package dev.cleanroom.attestation.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.TestJobs;
import dev.cleanroom.attestation.manifest.JobManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobFolderTest {
  @TempDir Path dir;

  @Test
  void hashOutputs_listsExecutedNotebookAndOutputsButNotRecordFiles() throws Exception {
    JobManifest manifest = TestJobs.writeJob(dir);
    JobFolder folder = TestJobs.writeReport(dir, manifest, "a.b.c", Optional.of(TestJobs.googleJwks()));
    assertEquals(List.of("executed.ipynb", "outputs/model.txt", "outputs/plots/fit.png"), List.copyOf(folder.hashOutputs().keySet()));
  }

  @Test
  void hashOutputs_symbolicLink_isRefused() throws Exception {
    TestJobs.writeJob(dir);
    Files.createSymbolicLink(dir.resolve("outputs/notebook-link"), dir.resolve("notebook.ipynb"));
    AttestationException e = assertThrows(AttestationException.class, () -> JobFolder.at(dir).hashOutputs());
    assertEquals("unsafe_output", e.code());
  }

  @Test
  void output_keyWithParentSegment_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> JobFolder.at(dir).output("outputs/../../x"));
  }

  @Test
  void output_recordFileName_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> JobFolder.at(dir).output("report.json"));
  }

  @Test
  void writeReport_writesEveryRecordFile() throws Exception {
    JobManifest manifest = TestJobs.writeJob(dir);
    TestJobs.writeReport(dir, manifest, "a.b.c", Optional.of(TestJobs.googleJwks()));
    for (String name : List.of(JobFolder.REPORT, JobFolder.MANIFEST, JobFolder.TOKEN, JobFolder.JWKS)) {
      assertTrue(Files.isRegularFile(dir.resolve(name)), name);
    }
    assertEquals(manifest.nonce(), dev.cleanroom.attestation.manifest.Sha256.of(dir.resolve(JobFolder.MANIFEST)));
  }

  @Test
  void readReport_launcherFilesOnly_assemblesTheReport() throws Exception {
    JobManifest manifest = TestJobs.writeJob(dir);
    JobFolder.at(dir).writeLauncherFiles(manifest, "a.b.c");
    AttestationReport report = JobFolder.at(dir).readReport();
    assertEquals(manifest, report.manifest());
    assertFalse(report.jwks().isPresent());
  }

  @Test
  void readReport_manifestFileDisagreeingWithReport_isRefused() throws Exception {
    JobManifest manifest = TestJobs.writeJob(dir);
    TestJobs.writeReport(dir, manifest, "a.b.c", Optional.empty());
    Files.writeString(dir.resolve(JobFolder.MANIFEST), "{}");
    AttestationException e = assertThrows(AttestationException.class, () -> JobFolder.at(dir).readReport());
    assertTrue(e.getMessage().contains("manifest.json differs"), e.getMessage());
  }

  @Test
  void readReport_emptyFolder_saysItIsNotAJobFolder() {
    AttestationException e = assertThrows(AttestationException.class, () -> JobFolder.at(dir).readReport());
    assertTrue(e.getMessage().contains("not a job folder"), e.getMessage());
  }
}
