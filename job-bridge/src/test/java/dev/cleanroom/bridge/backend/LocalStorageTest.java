package dev.cleanroom.bridge.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStorageTest {
  @TempDir Path dir;

  private static void put(LocalStorage storage, String key, String text) throws IOException {
    byte[] bytes = text.getBytes();
    storage.put(key, new ByteArrayInputStream(bytes), bytes.length);
  }

  @Test
  void objectsAreFilesUnderTheRoot_listedByPrefix() throws IOException {
    LocalStorage storage = LocalStorage.at(dir);
    put(storage, "jobs/a/notebook.ipynb", "{}");
    put(storage, "jobs/a/result/outputs/model.txt", "model");
    put(storage, "jobs/ab/notebook.ipynb", "{}");

    assertEquals(List.of("jobs/a/notebook.ipynb", "jobs/a/result/outputs/model.txt"), storage.list("jobs/a/"));
    assertEquals(List.of("jobs/a/notebook.ipynb", "jobs/a/result/outputs/model.txt", "jobs/ab/notebook.ipynb"),
        storage.list("jobs/a"));
    assertEquals(5, storage.size("jobs/a/result/outputs/model.txt"));
    try (InputStream in = storage.get("jobs/a/result/outputs/model.txt")) {
      assertArrayEquals("model".getBytes(), in.readAllBytes());
    }
    assertEquals(dir.toRealPath().resolve("jobs/a/result").toUri(), storage.writeUrl("jobs/a/result/", Duration.ofMinutes(1)));
    storage.delete("jobs/a/notebook.ipynb");
    assertFalse(storage.exists("jobs/a/notebook.ipynb"));
    assertThrows(NoSuchFileException.class, () -> storage.get("jobs/a/notebook.ipynb"));
  }

  @Test
  void keysThatAreNotPlainRelativePaths_areRefused() throws IOException {
    LocalStorage storage = LocalStorage.at(dir);
    for (String key : List.of("../outside", "jobs/../../outside", "/etc/passwd", "jobs//x", "jobs/./x", "a\\b", "a\nb", "")) {
      assertThrows(IllegalArgumentException.class, () -> put(storage, key, "x"), key);
    }
    try (var files = Files.list(dir)) {
      assertEquals(List.of(), files.toList());
    }
    assertTrue(Files.notExists(dir.resolveSibling("outside")));
  }

  @Test
  void aPutWithTheWrongLength_leavesNoObject() throws IOException {
    LocalStorage storage = LocalStorage.at(dir);
    assertThrows(IOException.class, () -> storage.put("jobs/a/x", new ByteArrayInputStream(new byte[3]), 4));
    assertEquals(List.of(), storage.list("jobs/"));
  }
}
