package dev.cleanroom.tee.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
  @TempDir Path root;

  @Test
  void normalizeModes_dropsWriteForOthersAndSpecialBits() throws IOException {
    Path tool = Files.writeString(root.resolve("tool"), "#!");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path data = Files.writeString(root.resolve("data"), "x");
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rw-rw-rw-"));
    FileTrees.normalizeModes(root, "the base runtime", Set.of());
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(tool)));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
  }

  @Test
  void normalizeModes_deletesTheDroppedFolders_andRefusesALink() throws IOException {
    Path cache = Files.createDirectories(root.resolve("lib/site/__pycache__"));
    Files.writeString(cache.resolve("module.pyc"), "byte code");
    FileTrees.normalizeModes(root, "the environment", Set.of("__pycache__"));
    assertFalse(Files.exists(cache));

    Files.createSymbolicLink(root.resolve("lib/link"), Path.of("site"));
    IOException e = assertThrows(IOException.class, () -> FileTrees.normalizeModes(root, "the environment", Set.of()));
    assertEquals("'lib/link' is not a plain file; the environment takes none", e.getMessage());
  }
}
