package dev.cleanroom.tee.launcher;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.dp.provision.InputCommitment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Inputs in a local folder mounted read-only into the container ({@code /input}): checked in place. Each dataset's
 * folder ({@code <dataset>/}) comes with the dataset's commitment key ({@link InputCommitment#KEY_FILE}), and each
 * file is checked by its commitment under that key, the value the provider published.
 *
 * <p>Invariant: the notebook sees the folder only if every regular file in it is an expected input with
 * the expected commitment, every expected input is there, and nothing in it is a link or a special file; so
 * the manifest's input commitments are the whole of what the notebook could read there.
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
    Map<String, Optional<byte[]>> keys = new HashMap<>();
    for (Path path : paths) {
      String name = name(path);
      if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
        problem = problem != null ? problem : "input '" + name + "' is a link or a special file; inputs are plain files";
        continue;
      }
      int slash = name.indexOf('/');
      Optional<byte[]> key = slash < 0 ? Optional.empty() : keys.computeIfAbsent(name.substring(0, slash), this::key);
      if (key.isEmpty()) {
        problem = problem != null ? problem : "input '" + name + "' has no dataset commitment key ("
            + (slash < 0 ? "it is in no dataset's folder" : name.substring(0, slash) + "/" + InputCommitment.KEY_FILE
            + " is missing or malformed") + ")";
        continue;
      }
      Sha256 commitment = new Sha256(InputCommitment.of(key.get(), path));
      seen.put(name, commitment);
      if (!expected.containsKey(name)) {
        problem = problem != null ? problem : "the input folder holds '" + name + "', which the job does not list";
      } else if (!expected.get(name).equals(commitment)) {
        problem = problem != null ? problem : "input '" + name + "' has commitment " + commitment.abbreviated()
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

  /** A dataset's commitment key, if its folder holds a plain, well-formed one. */
  private Optional<byte[]> key(String dataset) {
    Path file = dir.resolve(dataset).resolve(InputCommitment.KEY_FILE);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      return Optional.of(InputCommitment.readKey(file));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private String name(Path path) {
    StringJoiner name = new StringJoiner("/");
    dir.relativize(path).forEach(part -> name.add(part.toString()));
    return name.toString().replaceAll("\\p{Cntrl}", "?");
  }
}
