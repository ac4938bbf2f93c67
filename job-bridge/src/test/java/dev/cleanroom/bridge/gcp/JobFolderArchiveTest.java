package dev.cleanroom.bridge.gcp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.bridge.backend.JobObjects;
import dev.cleanroom.bridge.backend.LocalStorage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobFolderArchiveTest {
  private static final String JOB = "job-k3v9x2m4q7b1c8d5";

  @TempDir Path dir;
  private LocalStorage storage;

  @BeforeEach
  void setUp() throws IOException {
    storage = LocalStorage.at(dir);
  }

  @Test
  void unpack_putsEveryFileUnderTheJobsResult() throws IOException {
    store(zip(Map.of(JobFolder.TOKEN, "a.b.c", "manifest.json", "{}", "outputs/model.txt", "model")));

    assertTrue(JobFolderArchive.unpack(storage, JOB));

    assertEquals(List.of("jobs/" + JOB + "/result/manifest.json", "jobs/" + JOB + "/result/outputs/model.txt",
        "jobs/" + JOB + "/result/token.jwt"), storage.list(JobObjects.result(JOB)));
    assertEquals("model", read(JobObjects.resultFile(JOB, "outputs/model.txt")));
    assertEquals("a.b.c", read(JobObjects.resultFile(JOB, JobFolder.TOKEN)));
  }

  @Test
  void unpack_withoutAnArchive_isNotDone() throws IOException {
    assertFalse(JobFolderArchive.unpack(storage, JOB));
  }

  @Test
  void unpack_onceDone_leavesTheResultAlone() throws IOException {
    store(zip(Map.of(JobFolder.TOKEN, "a.b.c", "manifest.json", "{}")));
    JobFolderArchive.unpack(storage, JOB);
    store(zip(Map.of(JobFolder.TOKEN, "d.e.f", "manifest.json", "{\"other\": 1}")));

    assertTrue(JobFolderArchive.unpack(storage, JOB));

    assertEquals("{}", read(JobObjects.resultFile(JOB, "manifest.json")));
  }

  @Test
  void unpack_anEntryOutsideTheResult_isRefusedAndNoTokenIsStored() throws IOException {
    store(zip(Map.of("../notebook.ipynb", "{}", JobFolder.TOKEN, "a.b.c")));

    var e = assertThrows(JobFolderArchive.InvalidArchiveException.class, () -> JobFolderArchive.unpack(storage, JOB));

    assertTrue(e.getMessage().contains("not a plain relative path"), e.getMessage());
    assertFalse(storage.exists(JobObjects.resultFile(JOB, JobFolder.TOKEN)));
  }

  @Test
  void unpack_theBridgesOwnReport_isRefused() throws IOException {
    store(zip(Map.of(JobFolder.REPORT, "{}", JobFolder.TOKEN, "a.b.c")));

    var e = assertThrows(JobFolderArchive.InvalidArchiveException.class, () -> JobFolderArchive.unpack(storage, JOB));

    assertTrue(e.getMessage().contains("only the bridge writes"), e.getMessage());
  }

  @Test
  void unpack_anArchiveWithoutAToken_isRefused() throws IOException {
    store(zip(Map.of("manifest.json", "{}")));

    var e = assertThrows(JobFolderArchive.InvalidArchiveException.class, () -> JobFolderArchive.unpack(storage, JOB));

    assertTrue(e.getMessage().contains("holds no token.jwt"), e.getMessage());
  }

  /** A zip of {@code files} (name → text), in the map's order. */
  static byte[] zip(Map<String, String> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, String> file : new LinkedHashMap<>(files).entrySet()) {
        zip.putNextEntry(new ZipEntry(file.getKey()));
        zip.write(file.getValue().getBytes(UTF_8));
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private void store(byte[] zip) throws IOException {
    storage.put(JobObjects.resultArchive(JOB), new ByteArrayInputStream(zip), zip.length);
  }

  private String read(String key) throws IOException {
    try (InputStream in = storage.get(key)) {
      return new String(in.readAllBytes(), UTF_8);
    }
  }
}
