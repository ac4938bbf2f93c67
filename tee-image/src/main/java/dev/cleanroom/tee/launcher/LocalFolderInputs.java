package dev.cleanroom.tee.launcher;

import dev.cleanroom.attestation.manifest.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Inputs in a local folder mounted read-only into the container ({@code /input}): checked in place.
 *
 * <p>Invariant: the notebook sees the folder only if every regular file in it is an expected input with
 * the expected sha256, every expected input is there, and nothing in it is a link or a special file; so
 * the manifest's input hashes are the whole of what the notebook could read there.
 */
final class LocalFolderInputs implements InputSource {
  private final Path dir;

  LocalFolderInputs(Path dir) {
    this.dir = dir;
  }

  @Override
  public Checked open(SortedMap<String, Sha256> expected) throws IOException, InputMismatchException {
    SortedMap<String, Sha256> seen = new TreeMap<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new InputMismatchException("the input folder is missing", seen);
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(dir)) {
      paths = walk.filter(p -> !p.equals(dir)).sorted().toList();
    }
    String problem = null;
    for (Path path : paths) {
      String name = name(path);
      if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
        problem = problem != null ? problem : "input '" + name + "' is a link or a special file; inputs are plain files";
        continue;
      }
      Sha256 sha = Sha256.of(path);
      seen.put(name, sha);
      if (!expected.containsKey(name)) {
        problem = problem != null ? problem : "the input folder holds '" + name + "', which the job does not list";
      } else if (!expected.get(name).equals(sha)) {
        problem = problem != null ? problem : "input '" + name + "' has sha256 " + sha.abbreviated()
            + ", the job expects " + expected.get(name).abbreviated();
      }
    }
    for (String name : expected.keySet()) {
      if (!seen.containsKey(name) && problem == null) {
        problem = "input '" + name + "' is missing";
      }
    }
    if (problem != null) {
      throw new InputMismatchException(problem, seen);
    }
    return new Checked(dir, seen);
  }

  private String name(Path path) {
    StringJoiner name = new StringJoiner("/");
    dir.relativize(path).forEach(part -> name.add(part.toString()));
    return name.toString().replaceAll("\\p{Cntrl}", "?");
  }
}
