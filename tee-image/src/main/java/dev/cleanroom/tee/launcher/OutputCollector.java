package dev.cleanroom.tee.launcher;

import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.tee.fs.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.stream.Stream;

/**
 * Makes the job folder hold only what a job may return, after the notebook ran and before it is hashed:
 * the executed notebook, plain files under {@code outputs/}, the notebook's log under {@code logs/}, at most
 * {@value JobManifest#MAX_OUTPUTS} files within the job's size limit, each file charged at least one
 * {@value #BLOCK_BYTES}-byte block (so empty files named after data are not free). What breaks the rules is deleted,
 * and the job fails saying so.
 *
 * <p>Invariant: after {@link #collect}, {@link JobFolder#hashOutputs()} succeeds on the folder and lists
 * exactly the files the notebook legitimately produced (or, over a limit, only the unexecuted notebook). The
 * reasons {@link #collect} gives are {@link Problem}'s fixed sentences: never a name, size or count the notebook
 * chose.
 */
final class OutputCollector {
  static final String LOGS = "logs";
  static final String NOTEBOOK_LOG = LOGS + "/notebook.log";
  /** What every file and folder costs at least against the output limit, as a file system block would. */
  static final long BLOCK_BYTES = 4096;

  /** Why outputs were deleted, in the order they are told. */
  enum Problem {
    OUTSIDE_OUTPUTS("the notebook wrote files into the job folder outside outputs/; they were deleted"),
    NOT_PLAIN("an output was a link or a special file; outputs are plain files, and it was deleted"),
    BAD_NAME("an output's name was not an output name (1–" + JobManifest.MAX_OUTPUT_PATH
        + " characters of A–Z a–z 0–9 . _ - in '/'-separated parts); it was deleted"),
    TOO_MANY("the notebook wrote more than " + JobManifest.MAX_OUTPUTS + " files; the outputs were deleted"),
    TOO_LARGE(null),
    UNREADABLE("the launcher could not read what the notebook left in the job folder; the outputs were deleted");

    private final String sentence;

    Problem(String sentence) {
      this.sentence = sentence;
    }

    String sentence(long maxOutputBytes) {
      return this == TOO_LARGE ? "the outputs were over the job's limit of " + maxOutputBytes + " bytes (each file"
          + " counting at least " + BLOCK_BYTES + "); they were deleted" : sentence;
    }
  }

  private final JobFolder folder;
  private final long maxOutputBytes;

  OutputCollector(JobFolder folder, long maxOutputBytes) {
    this.folder = folder;
    this.maxOutputBytes = maxOutputBytes;
  }

  /** Creates the folders the notebook writes to: {@code outputs/} and {@code logs/}. */
  void prepare() throws IOException {
    Files.createDirectories(folder.outputs());
    Files.createDirectories(folder.dir().resolve(LOGS));
  }

  /**
   * Bytes the run is charged for so far (the watchdog's measure and the limit's): each regular file's size rounded
   * up to whole blocks, at least one, and a block for every folder and other entry.
   */
  long bytesWritten() {
    try (Stream<Path> walk = Files.walk(folder.dir())) {
      return walk.filter(p -> !p.equals(folder.dir())).mapToLong(p -> {
        try {
          long size = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : 0;
          return Math.max(1, (size + BLOCK_BYTES - 1) / BLOCK_BYTES) * BLOCK_BYTES;
        } catch (IOException e) {
          return 0; // deleted while walking
        }
      }).sum();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  /**
   * Deletes what may not be returned and enforces the limits.
   *
   * @param submittedNotebook written as the executed notebook when the run left none (or it was removed)
   * @return why the job fails because of its outputs, if it does: sentences of {@link Problem} only
   */
  Optional<String> collect(byte[] submittedNotebook) throws IOException {
    FileTrees.reclaim(folder.dir());
    try {
      return collectReadable(submittedNotebook);
    } catch (IOException | UncheckedIOException e) {
      // The exception's message names a path the notebook chose: only the fixed sentence may leave.
      discard(submittedNotebook);
      return Optional.of(Problem.UNREADABLE.sentence(maxOutputBytes));
    }
  }

  /**
   * Deletes everything in the job folder and leaves only the unexecuted notebook.
   *
   * @throws IOException with a fixed message when even that fails
   */
  void discard(byte[] submittedNotebook) throws IOException {
    try {
      FileTrees.deleteContents(folder.dir());
      prepare();
      Files.write(folder.executedNotebook(), submittedNotebook);
    } catch (IOException | UncheckedIOException | StackOverflowError e) {
      throw new IOException("the launcher could neither read nor delete what the notebook left in the job folder");
    }
  }

  private Optional<String> collectReadable(byte[] submittedNotebook) throws IOException {
    Set<Problem> problems = EnumSet.noneOf(Problem.class);
    Path dir = folder.dir();
    try (Stream<Path> top = Files.list(dir)) {
      for (Path entry : top.sorted().toList()) {
        String name = entry.getFileName().toString();
        boolean allowed = switch (name) {
          case JobFolder.EXECUTED_NOTEBOOK -> Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS);
          case JobFolder.OUTPUTS, LOGS -> Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS);
          default -> false;
        };
        if (!allowed) {
          problems.add(Problem.OUTSIDE_OUTPUTS);
          FileTrees.delete(entry);
        }
      }
    }
    prepare();
    int files = 0;
    for (Path base : List.of(folder.outputs(), dir.resolve(LOGS))) {
      List<Path> paths;
      try (Stream<Path> walk = Files.walk(base)) {
        paths = walk.filter(p -> !p.equals(base)).sorted().toList();
      }
      for (Path path : paths) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
          problems.add(Problem.NOT_PLAIN);
          Files.delete(path);
        } else if (!isOutputName(path)) {
          problems.add(Problem.BAD_NAME);
          FileTrees.delete(path);
        } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
          files++;
        }
      }
    }
    if (!Files.exists(folder.executedNotebook(), LinkOption.NOFOLLOW_LINKS)) {
      Files.write(folder.executedNotebook(), submittedNotebook);
    }
    if (files + 1 > JobManifest.MAX_OUTPUTS) {
      problems.add(Problem.TOO_MANY);
    } else if (bytesWritten() > maxOutputBytes) {
      problems.add(Problem.TOO_LARGE);
    }
    if (problems.contains(Problem.TOO_MANY) || problems.contains(Problem.TOO_LARGE)) {
      FileTrees.delete(folder.outputs());
      FileTrees.delete(dir.resolve(LOGS));
      Files.write(folder.executedNotebook(), submittedNotebook);
      prepare();
    }
    if (problems.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(String.join("; ", problems.stream().map(p -> p.sentence(maxOutputBytes)).toList()));
  }

  /** Whether the path's key (a folder's too, which would be the prefix of its files' keys) is an output name. */
  private boolean isOutputName(Path path) {
    StringJoiner key = new StringJoiner("/");
    folder.dir().relativize(path).forEach(p -> key.add(p.toString()));
    try {
      JobManifest.requireOutputPath(key.toString());
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
