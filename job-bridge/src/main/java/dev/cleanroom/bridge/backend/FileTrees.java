package dev.cleanroom.bridge.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Folders on the bridge's own disk: scratch copies of job folders, image layouts, staged inputs. */
public final class FileTrees {
  private FileTrees() {}

  /** Deletes {@code dir} and everything in it (links themselves, never what they point to); nothing if absent. */
  public static void delete(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
