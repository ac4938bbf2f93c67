package dev.cleanroom.tee.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/** Whole folder trees: deleted without following links, so a link never takes a deletion elsewhere. */
public final class FileTrees {
  private FileTrees() {}

  /**
   * Deletes a scratch folder (nothing if {@code path} is null); a failure is only reported to
   * {@code report}, since a leftover scratch folder breaks nothing.
   */
  public static void deleteScratch(Path path, java.util.function.Consumer<String> report) {
    if (path == null) {
      return;
    }
    try {
      delete(path);
    } catch (IOException e) {
      report.accept("could not delete the scratch folder " + path + ": " + e.getMessage());
    }
  }

  /** Deletes {@code path} and, if it is a folder, everything in it; nothing if it does not exist. */
  public static void delete(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(path)) { // Files.walk does not follow links by default
      paths = new ArrayList<>(walk.toList());
    }
    Collections.reverse(paths);
    for (Path p : paths) {
      Files.delete(p);
    }
  }
}
