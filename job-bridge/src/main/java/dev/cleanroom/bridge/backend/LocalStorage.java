package dev.cleanroom.bridge.backend;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.stream.Stream;

/**
 * Object storage in a local folder (the embedded default): key {@code jobs/42/report.json} is the file
 * {@code <root>/jobs/42/report.json}. Writes go to a temporary file first and are moved into place, so a
 * reader never sees half an object.
 *
 * <p>The "URLs" it hands out are {@code file:} URIs that the local simulator mounts; they do not expire, which
 * is fine on one machine and the reason this backend is not for production.
 */
public final class LocalStorage implements ObjectStorage {
  private final Path root;

  private LocalStorage(Path root) {
    this.root = root;
  }

  public static LocalStorage at(Path root) throws IOException {
    Path absolute = root.toAbsolutePath().normalize();
    Files.createDirectories(absolute);
    return new LocalStorage(absolute.toRealPath());
  }

  public Path root() {
    return root;
  }

  /** The file of a key, refusing keys that are not plain relative paths. */
  public Path file(String key) {
    if (key == null || key.isEmpty() || key.startsWith("/") || key.indexOf('\\') >= 0
        || key.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException("not a storage key: keys are relative '/'-separated paths");
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("not a storage key: empty, '.' or '..' segment");
      }
    }
    return root.resolve(key);
  }

  @Override
  public void put(String key, InputStream content, long length) throws IOException {
    Path target = file(key);
    Files.createDirectories(target.getParent());
    Path temp = Files.createTempFile(target.getParent(), ".put-", ".tmp");
    try {
      long copied = Files.copy(content, temp, StandardCopyOption.REPLACE_EXISTING);
      if (length >= 0 && copied != length) {
        throw new IOException("storing " + key + ": expected " + length + " bytes, got " + copied);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override
  public InputStream get(String key) throws IOException {
    Path file = file(key);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new java.nio.file.NoSuchFileException(key);
    }
    return Files.newInputStream(file);
  }

  @Override
  public boolean exists(String key) {
    return Files.isRegularFile(file(key), LinkOption.NOFOLLOW_LINKS);
  }

  /** Every key that starts with {@code prefix}, sorted; temporary files of writes under way are not keys. */
  @Override
  public List<String> list(String prefix) throws IOException {
    int slash = prefix.lastIndexOf('/');
    Path dir = slash < 0 ? root : file(prefix.substring(0, slash));
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    List<String> keys = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || p.getFileName().toString().startsWith(".put-")) {
          continue;
        }
        String key = key(p);
        if (key.startsWith(prefix)) {
          keys.add(key);
        }
      }
    }
    return keys;
  }

  private String key(Path file) {
    StringJoiner key = new StringJoiner("/");
    root.relativize(file).forEach(name -> key.add(name.toString()));
    return key.toString();
  }

  @Override
  public long size(String key) throws IOException {
    return Files.size(file(key));
  }

  @Override
  public void delete(String key) throws IOException {
    Files.deleteIfExists(file(key));
  }

  /** The file of a key, or the folder of a prefix ending in '/'. */
  @Override
  public URI readUrl(String key, Duration validFor) {
    return (key.endsWith("/") ? file(key.substring(0, key.length() - 1)) : file(key)).toUri();
  }

  /** As {@link #readUrl}; the folder of a prefix is created, so the TEE can write into it. */
  @Override
  public URI writeUrl(String key, Duration validFor) throws IOException {
    if (key.endsWith("/")) {
      return Files.createDirectories(file(key.substring(0, key.length() - 1))).toUri();
    }
    return file(key).toUri();
  }
}
