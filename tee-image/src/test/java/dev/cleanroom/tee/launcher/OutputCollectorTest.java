package dev.cleanroom.tee.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.report.JobFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputCollectorTest {
  private static final byte[] SUBMITTED = "{\"nbformat\": 4, \"cells\": []}".getBytes();

  @TempDir Path job;
  private JobFolder folder;
  private OutputCollector collector;

  @BeforeEach
  void prepared() throws IOException {
    folder = JobFolder.at(job);
    collector = new OutputCollector(folder, 1000);
    collector.prepare();
  }

  @Test
  void collect_plainOutputs_keepsThemAndHashesThem() throws IOException {
    Files.writeString(folder.executedNotebook(), "{}");
    Files.createDirectories(folder.outputs().resolve("plots"));
    Files.writeString(folder.outputs().resolve("plots/age.png"), "png");
    Files.writeString(job.resolve(OutputCollector.NOTEBOOK_LOG), "log line\n");
    assertEquals(Optional.empty(), collector.collect(SUBMITTED));
    assertEquals(List.of("executed.ipynb", "logs/notebook.log", "outputs/plots/age.png"), List.copyOf(folder.hashOutputs().keySet()));
  }

  @Test
  void collect_aLinkInOutputs_deletesItAndSaysSo(@TempDir Path host) throws IOException {
    Path secret = Files.writeString(host.resolve("real.csv"), "rows");
    Files.createSymbolicLink(folder.outputs().resolve("data.csv"), secret);
    Optional<String> problem = collector.collect(SUBMITTED);
    assertEquals(Optional.of("output 'outputs/data.csv' is a link or a special file; outputs are plain files (deleted)"), problem);
    assertFalse(Files.exists(folder.outputs().resolve("data.csv"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.exists(secret), "deleting a link never deletes its target");
    folder.hashOutputs(); // no longer refuses the folder
  }

  @Test
  void collect_aRecordFileWrittenByTheNotebook_isDeleted() throws IOException {
    Files.writeString(job.resolve(JobFolder.MANIFEST), "{\"forged\": true}");
    Optional<String> problem = collector.collect(SUBMITTED);
    assertEquals(Optional.of("the notebook wrote 'manifest.json' into the job folder outside outputs/ (deleted)"), problem);
    assertFalse(Files.exists(job.resolve(JobFolder.MANIFEST)));
  }

  @Test
  void collect_noExecutedNotebook_returnsTheSubmittedOne() throws IOException {
    collector.collect(SUBMITTED);
    assertArrayEquals(SUBMITTED, Files.readAllBytes(folder.executedNotebook()));
  }

  @Test
  void collect_overTheLimit_deletesTheOutputsAndKeepsOnlyTheUnexecutedNotebook() throws IOException {
    Files.writeString(folder.executedNotebook(), "{\"executed\": true}");
    Files.write(folder.outputs().resolve("big.bin"), new byte[2000]);
    Optional<String> problem = collector.collect(SUBMITTED);
    assertTrue(problem.orElseThrow().startsWith("the outputs total 2"), problem.get());
    assertTrue(problem.get().endsWith("over the job's limit of 1000 bytes; they were deleted"), problem.get());
    assertEquals(List.of("executed.ipynb"), List.copyOf(folder.hashOutputs().keySet()));
    assertArrayEquals(SUBMITTED, Files.readAllBytes(folder.executedNotebook()));
  }

  @Test
  void bytesWritten_countsEveryFileTheRunWrote() throws IOException {
    Files.write(folder.outputs().resolve("a"), new byte[300]);
    Files.write(job.resolve(OutputCollector.NOTEBOOK_LOG), new byte[200]);
    assertEquals(500, collector.bytesWritten());
  }
}
