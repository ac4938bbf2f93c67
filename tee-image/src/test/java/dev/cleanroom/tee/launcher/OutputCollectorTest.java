package dev.cleanroom.tee.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.manifest.JobManifest;
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
  /** Sixteen blocks: the two folders, the executed notebook and thirteen more small files. */
  private static final long LIMIT = 16 * OutputCollector.BLOCK_BYTES;

  @TempDir Path job;
  private JobFolder folder;
  private OutputCollector collector;

  @BeforeEach
  void prepared() throws IOException {
    folder = JobFolder.at(job);
    collector = new OutputCollector(folder, LIMIT);
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
    assertEquals(Optional.of(OutputCollector.Problem.NOT_PLAIN.sentence(LIMIT)), problem);
    assertFalse(Files.exists(folder.outputs().resolve("data.csv"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.exists(secret), "deleting a link never deletes its target");
    folder.hashOutputs(); // no longer refuses the folder
  }

  @Test
  void collect_aRecordFileWrittenByTheNotebook_isDeleted() throws IOException {
    Files.writeString(job.resolve(JobFolder.MANIFEST), "{\"forged\": true}");
    Optional<String> problem = collector.collect(SUBMITTED);
    assertEquals(Optional.of(OutputCollector.Problem.OUTSIDE_OUTPUTS.sentence(LIMIT)), problem);
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
    Files.write(folder.outputs().resolve("big.bin"), new byte[(int) LIMIT]);
    Optional<String> problem = collector.collect(SUBMITTED);
    assertEquals(Optional.of("the outputs were over the job's limit of 65536 bytes (each file counting at least 4096);"
        + " they were deleted"), problem, "the limit, never the total the notebook reached");
    assertEquals(List.of("executed.ipynb"), List.copyOf(folder.hashOutputs().keySet()));
    assertArrayEquals(SUBMITTED, Files.readAllBytes(folder.executedNotebook()));
  }

  @Test
  void bytesWritten_chargesEveryFileAndFolderWholeBlocks_atLeastOne() throws IOException {
    Files.write(folder.outputs().resolve("a"), new byte[300]);
    Files.write(folder.outputs().resolve("b"), new byte[4097]);
    Files.write(job.resolve(OutputCollector.NOTEBOOK_LOG), new byte[0]);
    // outputs/ and logs/, a, two blocks of b, the empty log
    assertEquals(6 * OutputCollector.BLOCK_BYTES, collector.bytesWritten());
  }

  /** Issue 13, point 1: empty files named after data are not free; each costs a block against the limit. */
  @Test
  void collect_manyEmptyFiles_areChargedABlockEach_andDeletedOverTheLimit() throws IOException {
    Files.writeString(folder.executedNotebook(), "{}");
    for (int i = 0; i < 16; i++) {
      Files.createFile(folder.outputs().resolve("v-" + (16884 + i)));
    }
    Optional<String> problem = collector.collect(SUBMITTED);
    assertEquals(Optional.of(OutputCollector.Problem.TOO_LARGE.sentence(LIMIT)), problem);
    assertEquals(List.of("executed.ipynb"), List.copyOf(folder.hashOutputs().keySet()));
  }

  /** Issue 13, point 1: the number of files is capped, whatever they weigh. */
  @Test
  void collect_moreFilesThanTheCap_deletesTheOutputs() throws IOException {
    OutputCollector roomy = new OutputCollector(folder, 1L << 30);
    for (int i = 0; i < JobManifest.MAX_OUTPUTS; i++) {
      Files.createFile(folder.outputs().resolve("f" + i));
    }
    Optional<String> problem = roomy.collect(SUBMITTED);
    assertEquals(Optional.of(OutputCollector.Problem.TOO_MANY.sentence(1L << 30)), problem);
    assertEquals(List.of("executed.ipynb"), List.copyOf(folder.hashOutputs().keySet()));
  }

  /** Issue 13, point 1: a name outside the safe characters is deleted, and the reason does not repeat it. */
  @Test
  void collect_aNameOutsideTheSafeCharacters_isDeleted_andTheReasonDoesNotRepeatIt() throws IOException {
    Files.writeString(folder.executedNotebook(), "{}");
    Files.createFile(folder.outputs().resolve("charge 16884.924:"));
    Files.createDirectories(folder.outputs().resolve("age 19"));
    Files.writeString(folder.outputs().resolve("age 19/x.txt"), "1");
    Files.writeString(folder.outputs().resolve("model.txt"), "fit");
    Optional<String> problem = collector.collect(SUBMITTED);
    assertEquals(Optional.of(OutputCollector.Problem.BAD_NAME.sentence(LIMIT)), problem);
    assertEquals(List.of("executed.ipynb", "outputs/model.txt"), List.copyOf(folder.hashOutputs().keySet()));
  }

  /** Issue 13, point 5: a name that is not UTF-8 is deleted, not decoded into a key (U+FFFD) that another file may share. */
  @Test
  void collect_namesThatAreNotUtf8_areDeleted() throws Exception {
    Files.writeString(folder.executedNotebook(), "{}");
    for (String name : List.of("v-\\377", "v-\\376")) {
      Process touch = new ProcessBuilder("sh", "-c", "cd \"$1\" && : > \"$(printf '" + name + "')\"", "sh",
          folder.outputs().toString()).inheritIO().start();
      assertEquals(0, touch.waitFor());
    }
    assertEquals(2, Files.list(folder.outputs()).count());
    Optional<String> problem = collector.collect(SUBMITTED);
    assertEquals(Optional.of(OutputCollector.Problem.BAD_NAME.sentence(LIMIT)), problem);
    assertEquals(0, Files.list(folder.outputs()).count(), "both files are gone");
    assertEquals(List.of("executed.ipynb"), List.copyOf(folder.hashOutputs().keySet()));
  }

  /**
   * Security review after #14, point 2: a notebook that leaves a tree the launcher cannot walk by path (here deeper
   * than a path may be long; elsewhere a folder of mode 000) made it throw an exception naming the tree's folders,
   * a value the notebook chose, into the run's log. Now the outputs are deleted and the reason is a fixed sentence.
   */
  @Test
  void collect_aTreeTheLauncherCannotWalk_deletesTheOutputsWithAFixedSentence() throws IOException {
    String value = "SECRET-42-" + "x".repeat(200);
    Path upper = deepChain(folder.outputs().resolve("a"), value, 12);
    deepChain(job.resolve("tmp-chain"), value, 12);
    Files.move(job.resolve("tmp-chain"), upper.resolve("moved")); // now past PATH_MAX, built with two short moves
    Optional<String> problem = collector.collect(SUBMITTED);
    assertEquals(Optional.of(OutputCollector.Problem.UNREADABLE.sentence(LIMIT)), problem);
    assertEquals(List.of("executed.ipynb"), List.copyOf(folder.hashOutputs().keySet()));
    assertArrayEquals(SUBMITTED, Files.readAllBytes(folder.executedNotebook()));
  }

  @Test
  void collect_aFolderOfMode000_isMadeReadableAgain() throws IOException {
    Path hidden = Files.createDirectories(folder.outputs().resolve("v42"));
    Files.writeString(hidden.resolve("a.txt"), "a");
    Files.setPosixFilePermissions(hidden, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
    assertEquals(Optional.empty(), collector.collect(SUBMITTED));
    assertTrue(folder.hashOutputs().containsKey("outputs/v42/a.txt"));
  }

  private static Path deepChain(Path start, String name, int depth) throws IOException {
    Path path = start;
    for (int i = 0; i < depth; i++) {
      path = path.resolve(name.substring(0, 200) + i);
    }
    return Files.createDirectories(path);
  }
}
