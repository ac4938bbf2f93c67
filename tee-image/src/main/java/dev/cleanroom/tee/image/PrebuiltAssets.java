package dev.cleanroom.tee.image;

import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import dev.cleanroom.tee.api.ImageBuildException;
import dev.cleanroom.tee.base.BaseRuntimeRecipe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The stage-2 image's base runtime and launcher bundle, prebuilt into one folder, so that a builder with no JDK to
 * link from and no network to fetch Debian packages (the bridge in a cluster) can still build notebook images:
 * {@code base-runtime/} (the root filesystem), {@code base-runtime.key} (the sha256 of the lock it was assembled
 * from) and {@code launcher/} (a launcher bundle). The bridge image carries them at {@code /opt/cleanroom/tee}.
 *
 * <p>Invariant: a notebook image built from them is byte-identical to one built from the pinned JDK and packages:
 * the files keep their bytes and modes, and a base runtime assembled from another lock is refused, so the digest
 * an auditor rebuilds is the digest the bridge pushed.
 */
public record PrebuiltAssets(Path dir, Path baseRootfs, LauncherBundle launcher) {
  public static final String BASE_RUNTIME = "base-runtime";
  public static final String BASE_RUNTIME_KEY = "base-runtime.key";
  public static final String LAUNCHER = "launcher";

  private static final FilePermissions READ_ONLY = FilePermissions.fromOctalString("644");

  /** Reads the assets in {@code dir}, refusing a base runtime assembled from a lock other than {@code recipe}. */
  public static PrebuiltAssets read(Path dir, BaseRuntimeRecipe recipe) throws ImageBuildException {
    Path rootfs = dir.resolve(BASE_RUNTIME);
    Path keyFile = dir.resolve(BASE_RUNTIME_KEY);
    if (!Files.isDirectory(rootfs) || !Files.isRegularFile(keyFile)) {
      throw new ImageBuildException("assets_missing", "Tried to read the prebuilt base runtime in " + dir + " but failed"
          + " because: it has no " + BASE_RUNTIME + "/ and " + BASE_RUNTIME_KEY + ". Give a folder ImageBuilder's"
          + " exportAssets wrote (the bridge image has one at /opt/cleanroom/tee), or none to link the base runtime"
          + " from the pinned JDK.");
    }
    String found;
    try {
      found = Files.readString(keyFile, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new ImageBuildException("assets_missing", "Tried to read " + keyFile + " but failed because: " + e.getMessage(), e);
    }
    String pinned = recipe.key().hex();
    if (!found.equals(pinned)) {
      throw new ImageBuildException("assets_mismatch", "Tried to use the prebuilt base runtime in " + dir + " but failed"
          + " because: it was assembled from another base-runtime.lock (" + abbreviate(found) + "), and this build pins "
          + abbreviate(pinned) + "; its images would not match an auditor's rebuild. Use the assets of this version"
          + " (the bridge image built with it by 'dcr images').");
    }
    return new PrebuiltAssets(dir, rootfs, LauncherBundle.at(dir.resolve(LAUNCHER)));
  }

  /** Writes {@code baseRootfs} (assembled from {@code recipe}) and {@code bundle} as assets into the new folder {@code dir}. */
  public static void write(Path baseRootfs, BaseRuntimeRecipe recipe, LauncherBundle bundle, Path dir) throws IOException {
    Files.createDirectory(dir);
    copyTree(baseRootfs, dir.resolve(BASE_RUNTIME));
    Files.write(dir.resolve(BASE_RUNTIME_KEY), keyFile(recipe));
    Path lib = Files.createDirectories(dir.resolve(LAUNCHER).resolve("lib"));
    for (Path jar : bundle.jars()) {
      Files.copy(jar, lib.resolve(jar.getFileName().toString()));
    }
    Files.copy(bundle.dir().resolve(LauncherBundle.CLASSPATH_FILE), dir.resolve(LAUNCHER).resolve(LauncherBundle.CLASSPATH_FILE));
  }

  /** The content of {@value #BASE_RUNTIME_KEY} for {@code recipe}. */
  public static byte[] keyFile(BaseRuntimeRecipe recipe) {
    return (recipe.key().hex() + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The layers that put the assets at {@code imageDir} in an image, as {@link #write} would lay them out: the base
   * runtime with its key (changes with the lock), then the launcher bundle (changes with every build of tee-image).
   *
   * @param keyFile a file holding {@link #keyFile(BaseRuntimeRecipe)}
   */
  public static List<FileEntriesLayer> layers(Path baseRootfs, Path keyFile, LauncherBundle bundle, String imageDir)
      throws IOException {
    FileEntriesLayer.Builder base = FileEntriesLayer.builder().setName("tee image base runtime");
    String baseDir = imageDir + "/" + BASE_RUNTIME;
    base.addEntry(entry(baseRootfs, baseDir, FilePermissions.DEFAULT_FOLDER_PERMISSIONS));
    for (FileEntry file : ImageAssembler.rootfsLayer("base runtime", baseRootfs).getEntries()) {
      base.addEntry(new FileEntry(file.getSourceFile(), AbsoluteUnixPath.get(baseDir + file.getExtractionPath()),
          file.getPermissions(), file.getModificationTime(), file.getOwnership()));
    }
    base.addEntry(entry(keyFile, imageDir + "/" + BASE_RUNTIME_KEY, READ_ONLY));
    FileEntriesLayer.Builder launcher = FileEntriesLayer.builder().setName("tee image launcher");
    String launcherDir = imageDir + "/" + LAUNCHER;
    launcher.addEntry(entry(bundle.dir().resolve(LauncherBundle.CLASSPATH_FILE), launcherDir + "/" + LauncherBundle.CLASSPATH_FILE, READ_ONLY));
    for (Path jar : bundle.jars().stream().sorted((a, b) -> a.getFileName().compareTo(b.getFileName())).toList()) {
      launcher.addEntry(entry(jar, launcherDir + "/lib/" + jar.getFileName(), READ_ONLY));
    }
    return List.of(base.build(), launcher.build());
  }

  private static FileEntry entry(Path source, String pathInImage, FilePermissions permissions) {
    return new FileEntry(source, AbsoluteUnixPath.get(pathInImage), permissions, FileEntriesLayer.DEFAULT_MODIFICATION_TIME, "0:0");
  }

  /** Copies a normalized root filesystem with its modes: they are part of the image's layers, hence of its digest. */
  private static void copyTree(Path from, Path to) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(from)) {
      paths = walk.sorted().toList();
    }
    for (Path path : paths) {
      Path target = to.resolve(from.relativize(path).toString());
      if (Files.isSymbolicLink(path)) {
        throw new IOException("the base runtime holds a link, " + from.relativize(path) + "; rebuild its cache");
      }
      if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(target);
      } else {
        Files.copy(path, target);
      }
    }
    // Folders last, so that a folder's own mode never keeps its files from being written.
    for (Path path : paths.reversed()) {
      Files.setPosixFilePermissions(to.resolve(from.relativize(path).toString()),
          Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }
  }

  private static String abbreviate(String key) {
    return key.length() > 16 ? key.substring(0, 16) : key;
  }
}
