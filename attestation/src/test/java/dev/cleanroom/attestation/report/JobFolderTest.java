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

  /** Issue 13, point 5: a name of bytes that are not UTF-8 is refused, never decoded into a key (U+FFFD) it does not have. */
  @Test
  void hashOutputs_aNameThatIsNotUtf8_isRefusedWithoutNamingIt() throws Exception {
    TestJobs.writeJob(dir);
    touch(dir.resolve("outputs"), "v-\\377\\376");
    AttestationException e = assertThrows(AttestationException.class, () -> JobFolder.at(dir).hashOutputs());
    assertEquals("unsafe_output", e.code());
    assertFalse(e.getMessage().contains("v-"), e.getMessage());
  }

  /** Issue 13, point 5: the same folder lists the same under LANG=C and C.UTF-8, and a non-ASCII name is refused in both. */
  @Test
  void hashOutputs_isTheSameInEveryLocale() throws Exception {
    TestJobs.writeJob(dir);
    String ascii = hashOutputsIn(dir, "C");
    assertTrue(ascii.contains("outputs/model.txt "), ascii);
    assertEquals(ascii, hashOutputsIn(dir, "C.UTF-8"));
    touch(dir.resolve("outputs"), "caf\\303\\251.txt"); // café.txt in UTF-8
    assertEquals("refused: unsafe_output\n", hashOutputsIn(dir, "C"));
    assertEquals("refused: unsafe_output\n", hashOutputsIn(dir, "C.UTF-8"));
  }

  @Test
  void hashOutputs_moreFilesThanTheCap_isRefused() throws Exception {
    TestJobs.writeJob(dir);
    for (int i = 0; i < JobManifest.MAX_OUTPUTS; i++) {
      Files.writeString(dir.resolve("outputs/f" + i), "");
    }
    AttestationException e = assertThrows(AttestationException.class, () -> JobFolder.at(dir).hashOutputs());
    assertEquals("unsafe_output", e.code());
  }

  /** Creates a file whose name is {@code printfName} as printf(1) spells bytes, which Java cannot name in every locale. */
  static void touch(Path folder, String printfName) throws Exception {
    Process touch = new ProcessBuilder("sh", "-c", "cd \"$1\" && : > \"$(printf '" + printfName + "')\"", "sh", folder.toString())
        .inheritIO().start();
    assertEquals(0, touch.waitFor());
  }

  private static String hashOutputsIn(Path folder, String locale) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp",
        System.getProperty("java.class.path"), HashOutputsMain.class.getName(), folder.toString()).redirectErrorStream(true);
    builder.environment().put("LANG", locale);
    builder.environment().put("LC_ALL", locale);
    Process child = builder.start();
    String printed = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, child.waitFor(), printed);
    return printed;
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
