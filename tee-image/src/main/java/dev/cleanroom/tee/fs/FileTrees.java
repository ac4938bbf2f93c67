package dev.cleanroom.tee.fs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Whole folder trees: deleted without following links, so a link never takes a deletion elsewhere. */
public final class FileTrees {
  private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
  private static final Set<PosixFilePermission> REGULAR = PosixFilePermissions.fromString("rw-r--r--");
  private static final Set<PosixFilePermission> OWNER_FOLDER = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

  private FileTrees() {}

  /**
   * Gives an image's tree the modes an image's layers take, whatever umask or package made them: folders and
   * files their owner could execute 0755, other files 0644 (no write for others, no special bits). Folders named
   * in {@code dropped} are deleted on the way (byte code caches); a link or special file is refused.
   *
   * @param what the tree as a message names it ("the base runtime")
   */
  public static void normalizeModes(Path tree, String what, Set<String> dropped) throws IOException {
    Files.walkFileTree(tree, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        if (dir.getFileName() != null && dropped.contains(dir.getFileName().toString())) {
          delete(dir);
          return FileVisitResult.SKIP_SUBTREE;
        }
        Files.setPosixFilePermissions(dir, EXECUTABLE);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (!attrs.isRegularFile()) {
          throw new IOException("'" + tree.relativize(file) + "' is not a plain file; " + what + " takes none");
        }
        boolean executable = Files.getPosixFilePermissions(file).contains(PosixFilePermission.OWNER_EXECUTE);
        Files.setPosixFilePermissions(file, executable ? EXECUTABLE : REGULAR);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /**
   * Gives the launcher back what a notebook left unreadable in its tree (a folder of mode 000, say): every folder
   * becomes rwx and every file rw for its owner, without following links. Best effort: what stays unreadable is
   * deleted by the caller, and the failure says nothing the notebook named.
   */
  public static void reclaim(Path path) {
    try {
      BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (attrs.isDirectory()) {
        Files.setPosixFilePermissions(path, OWNER_FOLDER);
        try (Stream<Path> children = Files.list(path)) {
          children.toList().forEach(FileTrees::reclaim);
        }
      } else if (attrs.isRegularFile()) {
        Files.setPosixFilePermissions(path, OWNER_FILE);
      }
    } catch (IOException | java.io.UncheckedIOException | SecurityException e) {
      // left as it is: the caller deletes what it still cannot read
    }
  }

  /**
   * Deletes everything in {@code folder} (not the folder), however deep: each entry is reached from its parent's open
   * folder, never by a path, so neither a tree deeper than a path may be long nor a link stops it or leads elsewhere.
   *
   * @throws IOException when something cannot be deleted (where the file system refuses, or the process runs out of
   *     open files on a tree thousands of folders deep); the message may name the entry
   */
  public static void deleteContents(Path folder) throws IOException {
    DirectoryStream<Path> stream = Files.newDirectoryStream(folder);
    if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
      stream.close();
      throw new IOException("this file system cannot delete a folder's contents relative to the folder");
    }
    try (secure) {
      deleteContents(secure);
    }
  }

  private static void deleteContents(SecureDirectoryStream<Path> folder) throws IOException {
    List<Path> names = new ArrayList<>();
    folder.forEach(entry -> names.add(entry.getFileName()));
    for (Path name : names) {
      BasicFileAttributes attrs = folder.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .readAttributes();
      if (attrs.isDirectory()) {
        try (SecureDirectoryStream<Path> child = folder.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
          deleteContents(child);
        }
        folder.deleteDirectory(name);
      } else {
        folder.deleteFile(name);
      }
    }
  }

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
