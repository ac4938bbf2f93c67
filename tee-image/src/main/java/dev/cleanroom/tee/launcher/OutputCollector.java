package dev.cleanroom.tee.launcher;

import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.tee.fs.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.stream.Stream;

/**
 * Makes the job folder hold only what a job may return, after the notebook ran and before it is hashed:
 * the executed notebook, plain files under {@code outputs/}, the notebook's log under {@code logs/}, all
 * within the job's size limit. What breaks the rules is deleted, and the job fails saying so.
 *
 * <p>Invariant: after {@link #collect}, {@link JobFolder#hashOutputs()} succeeds on the folder and lists
 * exactly the files the notebook legitimately produced (or, over the limit, only the unexecuted notebook).
 */
final class OutputCollector {
  static final String LOGS = "logs";
  static final String NOTEBOOK_LOG = LOGS + "/notebook.log";

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

  /** Bytes the run has written so far (the watchdog's measure; links and special files count as nothing). */
  long bytesWritten() {
    try (Stream<Path> walk = Files.walk(folder.dir())) {
      return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0; // deleted while walking
        }
      }).sum();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  /**
   * Deletes what may not be returned and enforces the size limit.
   *
   * @param submittedNotebook written as the executed notebook when the run left none (or it was removed)
   * @return why the job fails because of its outputs, if it does
   */
  Optional<String> collect(byte[] submittedNotebook) throws IOException {
    List<String> problems = new ArrayList<>();
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
          problems.add("the notebook wrote '" + printable(name) + "' into the job folder outside outputs/ (deleted)");
          FileTrees.delete(entry);
        }
      }
    }
    prepare();
    for (Path base : List.of(folder.outputs(), dir.resolve(LOGS))) {
      List<Path> paths;
      try (Stream<Path> walk = Files.walk(base)) {
        paths = walk.filter(p -> !p.equals(base)).sorted().toList();
      }
      for (Path path : paths) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        String key = key(path);
        String problem = null;
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
          problem = "output '" + printable(key) + "' is a link or a special file; outputs are plain files";
        } else {
          try {
            JobManifest.requireOutputPath(key);
          } catch (IllegalArgumentException e) {
            problem = e.getMessage();
          }
        }
        if (problem != null) {
          problems.add(problem + " (deleted)");
          Files.delete(path);
        }
      }
    }
    if (!Files.exists(folder.executedNotebook(), LinkOption.NOFOLLOW_LINKS)) {
      Files.write(folder.executedNotebook(), submittedNotebook);
    }
    long total = bytesWritten();
    if (total > maxOutputBytes) {
      FileTrees.delete(folder.outputs());
      FileTrees.delete(dir.resolve(LOGS));
      Files.write(folder.executedNotebook(), submittedNotebook);
      prepare();
      problems.add("the outputs total " + total + " bytes, over the job's limit of " + maxOutputBytes
          + " bytes; they were deleted");
    }
    if (problems.isEmpty()) {
      return Optional.empty();
    }
    String first = problems.get(0);
    return Optional.of(problems.size() == 1 ? first : first + "; and " + (problems.size() - 1) + " more such problems");
  }

  private String key(Path path) {
    StringJoiner key = new StringJoiner("/");
    folder.dir().relativize(path).forEach(p -> key.add(p.toString()));
    return key.toString();
  }

  private static String printable(String s) {
    return s.replaceAll("\\p{Cntrl}", "?");
  }
}
