package dev.cleanroom.attestation.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.attestation.TestJobs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobManifestTest {
  @TempDir Path dir;

  private JobManifest manifest() throws Exception {
    return TestJobs.writeJob(dir);
  }

  @Test
  void canonicalBytes_areSortedCompactUtf8() throws Exception {
    String json = new String(manifest().canonicalBytes(), StandardCharsets.UTF_8);
    assertTrue(json.startsWith("{\"executedNotebook\":\"executed.ipynb\",\"finishedAt\":\"2026-03-01T10:00:30Z\",\"format\":\"dcr.job-manifest/1\","), json);
    assertTrue(!json.contains(" ") && !json.contains("\n"), json);
  }

  @Test
  void nonce_isSha256OfTheCanonicalBytes() throws Exception {
    JobManifest m = manifest();
    assertEquals(Sha256.of(m.canonicalBytes()), m.nonce());
  }

  @Test
  void fromJson_ofCanonicalBytes_roundTrips() throws Exception {
    JobManifest m = manifest();
    JobManifest read = JobManifest.fromJson(m.canonicalBytes());
    assertEquals(m, read);
    assertArrayEquals(m.canonicalBytes(), read.canonicalBytes());
  }

  @Test
  void fromJson_reorderedAndIndented_givesTheSameNonce() throws Exception {
    JobManifest m = manifest();
    byte[] pretty = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsBytes(m.toJson());
    assertEquals(m.nonce(), JobManifest.fromJson(pretty).nonce());
  }

  @Test
  void nonce_changesWithAnyOutputHash() throws Exception {
    JobManifest m = manifest();
    TreeMap<String, Sha256> outputs = new TreeMap<>(m.outputs());
    outputs.put("outputs/model.txt", Sha256.of(new byte[] {1}));
    JobManifest changed = new JobManifest(m.jobId(), m.notebook(), m.imageDigest(), m.inputs(), outputs,
        m.executedNotebook(), m.startedAt(), m.finishedAt(), m.outcome());
    assertNotEquals(m.nonce(), changed.nonce());
  }

  @Test
  void fromJson_timestampSpelledDifferently_isRefused() throws Exception {
    ObjectNode json = manifest().toJson();
    json.put("finishedAt", "2026-03-01T10:00:30.000Z");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobManifest.fromJson(json));
    assertTrue(e.getMessage().contains("canonical"), e.getMessage());
  }

  @Test
  void fromJson_unknownMember_isRefused() throws Exception {
    ObjectNode json = manifest().toJson();
    json.put("approvedBy", "mallory");
    assertThrows(IllegalArgumentException.class, () -> JobManifest.fromJson(json));
  }

  @Test
  void fromJson_otherFormat_isRefused() throws Exception {
    ObjectNode json = manifest().toJson();
    json.put("format", "dcr.job-manifest/2");
    assertThrows(IllegalArgumentException.class, () -> JobManifest.fromJson(json));
  }

  @Test
  void constructor_outputPathWithParentSegment_isRefused() throws Exception {
    JobManifest m = manifest();
    TreeMap<String, Sha256> outputs = new TreeMap<>(m.outputs());
    outputs.put("outputs/../../etc/passwd", m.notebook());
    assertThrows(IllegalArgumentException.class, () -> new JobManifest(m.jobId(), m.notebook(), m.imageDigest(),
        m.inputs(), outputs, m.executedNotebook(), m.startedAt(), m.finishedAt(), m.outcome()));
  }

  @Test
  void requireOutputPath_absolutePath_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> JobManifest.requireOutputPath("/etc/passwd"));
  }

  @Test
  void requireOutputPath_namesOutsideTheSafeCharacters_areRefusedWithoutBeingRepeated() {
    for (String name : List.of("outputs/charge 16884.924:", "outputs/-rf", "outputs/.hidden", "outputs//x",
        "outputs/caf\u00e9.txt", "outputs/v-\ufffd", "outputs/a\\b", "outputs/" + "x".repeat(193), "")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobManifest.requireOutputPath(name),
          name);
      assertFalse(name.length() > 8 && e.getMessage().contains(name.substring(8)), e.getMessage());
    }
  }

  @Test
  void requireOutputPath_plainNames_areAccepted() {
    for (String name : List.of("executed.ipynb", "logs/notebook.log", "outputs/model.txt", "outputs/plots/fit_2.png",
        "outputs/linear-model.v1.txt", "outputs/" + "x".repeat(192))) {
      JobManifest.requireOutputPath(name);
    }
  }

  @Test
  void constructor_moreOutputsThanTheCap_isRefused() throws Exception {
    JobManifest m = manifest();
    TreeMap<String, Sha256> outputs = new TreeMap<>(m.outputs());
    for (int i = 0; outputs.size() <= JobManifest.MAX_OUTPUTS; i++) {
      outputs.put("outputs/f" + i, m.notebook());
    }
    assertThrows(IllegalArgumentException.class, () -> new JobManifest(m.jobId(), m.notebook(), m.imageDigest(),
        m.inputs(), outputs, m.executedNotebook(), m.startedAt(), m.finishedAt(), m.outcome()));
  }

  @Test
  void constructor_executedNotebookNotAnOutput_isRefused() throws Exception {
    JobManifest m = manifest();
    assertThrows(IllegalArgumentException.class, () -> new JobManifest(m.jobId(), m.notebook(), m.imageDigest(),
        m.inputs(), m.outputs(), "missing.ipynb", m.startedAt(), m.finishedAt(), m.outcome()));
  }

  @Test
  void constructor_finishedBeforeStarted_isRefused() throws Exception {
    JobManifest m = manifest();
    assertThrows(IllegalArgumentException.class, () -> new JobManifest(m.jobId(), m.notebook(), m.imageDigest(),
        m.inputs(), m.outputs(), m.executedNotebook(), m.finishedAt(), m.startedAt(), m.outcome()));
  }

  @Test
  void failedOutcome_roundTripsWithItsReason() throws Exception {
    JobManifest m = manifest();
    JobManifest failed = new JobManifest(m.jobId(), m.notebook(), m.imageDigest(), m.inputs(), m.outputs(),
        m.executedNotebook(), m.startedAt(), m.finishedAt(), JobOutcome.failed("cell 3 threw ArithmeticException"));
    assertEquals(failed.outcome(), JobManifest.fromJson(failed.canonicalBytes()).outcome());
  }

  @Test
  void libraries_theLocksHash_isWrittenReadAndBound_andAbsentWithoutOne() throws Exception {
    JobManifest m = manifest();
    assertFalse(new String(m.canonicalBytes(), StandardCharsets.UTF_8).contains("libraries"),
        "a notebook without libraries keeps the manifest's earlier bytes");
    Sha256 lock = Sha256.of("org.example:words:jar:1.0 abc\n".getBytes(StandardCharsets.UTF_8));
    JobManifest withLibraries = new JobManifest(m.jobId(), m.notebook(), m.imageDigest(), m.inputs(), m.outputs(),
        m.executedNotebook(), m.startedAt(), m.finishedAt(), m.outcome(), java.util.Optional.of(lock));
    JobManifest read = JobManifest.fromJson(withLibraries.canonicalBytes());
    assertEquals(java.util.Optional.of(lock), read.libraries());
    assertNotEquals(m.nonce(), withLibraries.nonce(), "the token's nonce binds the lock's hash");
  }
}
