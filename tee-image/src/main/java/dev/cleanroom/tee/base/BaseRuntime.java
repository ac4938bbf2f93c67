package dev.cleanroom.tee.base;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.tee.api.ImageBuildException;
import dev.cleanroom.tee.command.Command;
import dev.cleanroom.tee.fs.FileTrees;
import dev.cleanroom.tee.layout.ImageLayout;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The base runtime of every stage-2 image: a JRE linked by jlink from the pinned JDK, plus the files of
 * the pinned Debian packages (the C library and the libraries the JRE and the notebook libraries load),
 * plus a few files of our own ({@code /etc/passwd}, mount points). Built once per lock file into the cache
 * and reused, because jlink takes seconds.
 *
 * <p>Invariant: the root filesystem holds only plain files and folders, modes 0644/0755 (and 0777 for
 * {@code /tmp}), nothing from the
 * build machine but what the lock file names: symbolic links are replaced by copies of their targets
 * inside the root (Jib would follow an absolute link into the build machine's own files), special mode
 * bits are dropped, and a finished cache entry is never written again.
 */
public final class BaseRuntime {
  /** Bump when the assembly below changes, so that no cache holds a root made the old way. */
  static final String ASSEMBLY_VERSION = "3";

  /**
   * jlink output dropped from the JRE: X11 and sound libraries (never loaded headless), and the debug
   * agent and attach libraries, so that nothing can attach to the launcher or the notebook in the TEE.
   */
  static final List<String> DROPPED_JRE_FILES = List.of("lib/libawt_xawt.so", "lib/libjawt.so", "lib/libsplashscreen.so",
      "lib/libjsound.so", "lib/libattach.so", "lib/libjdwp.so", "lib/libdt_socket.so");
  /** Package contents a JRE never reads: documentation, translations, iconv modules. */
  static final List<String> DROPPED_PACKAGE_PATHS = List.of("usr/share/doc", "usr/share/doc-base", "usr/share/man",
      "usr/share/info", "usr/share/lintian", "usr/share/locale", "usr/share/bug", "usr/lib/x86_64-linux-gnu/gconv");

  private static final Object IN_THIS_JVM = new Object();

  private final BaseRuntimeRecipe recipe;
  private final Path javaHome;
  private final Path cacheDir;
  private final Consumer<String> progress;

  /**
   * @param javaHome the JDK to link from; must be the lock file's {@code jdk}
   * @param cacheDir the tool cache ({@code $DCR_CACHE})
   */
  public BaseRuntime(BaseRuntimeRecipe recipe, Path javaHome, Path cacheDir, Consumer<String> progress) {
    this.recipe = recipe;
    this.javaHome = javaHome;
    this.cacheDir = cacheDir;
    this.progress = progress;
  }

  public BaseRuntimeRecipe recipe() {
    return recipe;
  }

  /** The base root filesystem folder, from the cache or assembled now (once per lock file, under a lock). */
  public Path rootfs() throws ImageBuildException {
    requirePinnedJdk();
    Path entry = cacheDir.resolve("tee-image").resolve("base").resolve(recipe.key().hex().substring(0, 16));
    Path rootfs = entry.resolve("rootfs");
    Path complete = entry.resolve("complete");
    if (Files.exists(complete)) {
      return rootfs;
    }
    synchronized (IN_THIS_JVM) {
      try {
        Files.createDirectories(entry.getParent());
        try (FileChannel lockFile = FileChannel.open(entry.getParent().resolve(entry.getFileName() + ".lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
          FileLock lock = lockFile.lock(); // other processes wait here while one assembles
          try {
            if (Files.exists(complete)) {
              return rootfs; // another process made it while this one waited
            }
            Path staging = entry.getParent().resolve(entry.getFileName() + ".tmp-" + ProcessHandle.current().pid());
            FileTrees.delete(staging);
            FileTrees.delete(entry);
            assemble(staging.resolve("rootfs"));
            Files.writeString(staging.resolve("complete"), recipe.key().hex() + "\n");
            Files.move(staging, entry, StandardCopyOption.ATOMIC_MOVE);
            return rootfs;
          } finally {
            lock.release();
          }
        }
      } catch (IOException e) {
        throw new ImageBuildException("build_failed", "Tried to assemble the base runtime in " + entry
            + " but failed because: " + e.getMessage() + ". Check that the cache folder is writable (DCR_CACHE).", e);
      }
    }
  }

  private void requirePinnedJdk() throws ImageBuildException {
    String found = jdkRelease(javaHome);
    if (!recipe.jdk().equals(found)) {
      throw new ImageBuildException("jdk_mismatch", "Tried to link the image's JRE from " + javaHome
          + " but failed because: it is " + (found.isEmpty() ? "not a JDK with a release file" : found)
          + ", and base-runtime.lock pins " + recipe.jdk() + " (another JDK build makes another image digest)."
          + " Run with JAVA_HOME set to " + recipe.jdk() + ", or change the pin, which changes every image digest.");
    }
  }

  /** The JDK's {@code IMPLEMENTOR_VERSION} (else {@code JAVA_RUNTIME_VERSION}) from its release file. */
  public static String jdkRelease(Path javaHome) {
    Properties release = new Properties();
    try (var in = Files.newInputStream(javaHome.resolve("release"))) {
      release.load(in);
    } catch (IOException e) {
      return "";
    }
    String value = release.getProperty("IMPLEMENTOR_VERSION", release.getProperty("JAVA_RUNTIME_VERSION", ""));
    return value.replace("\"", "").strip();
  }

  private void assemble(Path rootfs) throws IOException, ImageBuildException {
    Files.createDirectories(rootfs);
    link(rootfs.resolve(ImageLayout.JAVA_HOME.substring(1)));
    DebianPackages debs = new DebianPackages(cacheDir.resolve("tee-image").resolve("debs"), progress);
    for (BaseRuntimeRecipe.DebianPackage pkg : recipe.packages()) {
      debs.extract(pkg, rootfs);
    }
    for (String dropped : DROPPED_PACKAGE_PATHS) {
      FileTrees.delete(rootfs.resolve(dropped));
    }
    writeSystemFiles(rootfs);
    materializeLinks(rootfs);
    FileTrees.normalizeModes(rootfs, "the base runtime", Set.of());
    // Writable by the container's user: runtimes give a tmpfs mounted here the mode of this folder.
    Files.setPosixFilePermissions(rootfs.resolve(ImageLayout.TMP.substring(1)), PosixFilePermissions.fromString("rwxrwxrwx"));
  }

  private void link(Path javaDir) throws IOException, ImageBuildException {
    progress.accept("Linking the image's JRE with jlink (" + recipe.modules().size() + " modules; once per lock file)");
    Path jlink = javaHome.resolve("bin").resolve("jlink");
    if (!Files.isExecutable(jlink)) {
      throw new ImageBuildException("tool_missing", "Tried to link the image's JRE but failed because: " + javaHome
          + " has no bin/jlink. Use a full JDK (not a JRE) as JAVA_HOME.");
    }
    Files.createDirectories(javaDir.getParent());
    try {
      Command.of(jlink.toString(), "--add-modules", String.join(",", recipe.modules()), "--strip-debug",
          "--no-header-files", "--no-man-pages", "--output", javaDir.toString()).timeout(Duration.ofMinutes(5)).check();
    } catch (IOException e) {
      throw new ImageBuildException("tool_failed", "Tried to link the image's JRE but failed because: " + e.getMessage(), e);
    }
    for (String dropped : DROPPED_JRE_FILES) {
      Files.deleteIfExists(javaDir.resolve(dropped));
    }
  }

  private static void writeSystemFiles(Path rootfs) throws IOException {
    Path etc = Files.createDirectories(rootfs.resolve("etc"));
    String nobody = ImageLayout.UID + ":" + ImageLayout.GID;
    Files.writeString(etc.resolve("passwd"),
        // nobody's home is the container's tmpfs: runtimes set HOME from here, and fontconfig keeps its cache there.
        "root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:" + nobody + ":nobody:" + ImageLayout.TMP + ":/usr/sbin/nologin\n",
        StandardCharsets.US_ASCII);
    Files.writeString(etc.resolve("group"), "root:x:0:\nnogroup:x:" + ImageLayout.GID + ":\n", StandardCharsets.US_ASCII);
    Files.writeString(etc.resolve("nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files\n", StandardCharsets.US_ASCII);
    for (String mountPoint : ImageLayout.MOUNT_POINTS) {
      Files.createDirectories(rootfs.resolve(mountPoint.substring(1)));
    }
  }

  /** Replaces every symbolic link by a copy of what it points to inside the root. */
  static void materializeLinks(Path rootfs) throws IOException {
    List<Path> links;
    try (Stream<Path> walk = Files.walk(rootfs)) {
      links = walk.filter(Files::isSymbolicLink).sorted().toList();
    }
    for (Path link : links) {
      Path target = resolveInside(rootfs, link);
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException("'" + rootfs.relativize(link) + "' links to a folder; the base runtime takes file links only");
      }
      Files.delete(link);
      Files.copy(target, link, StandardCopyOption.COPY_ATTRIBUTES);
    }
  }

  private static Path resolveInside(Path rootfs, Path link) throws IOException {
    Path current = link;
    for (int hops = 0; hops < 40 && Files.isSymbolicLink(current); hops++) {
      Path target = Files.readSymbolicLink(current);
      current = (target.isAbsolute()
          ? rootfs.resolve(target.toString().substring(1))
          : current.getParent().resolve(target)).normalize();
      if (!current.startsWith(rootfs)) {
        throw new IOException("'" + rootfs.relativize(link) + "' points outside the base runtime");
      }
    }
    if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(current)) {
      throw new IOException("'" + rootfs.relativize(link) + "' points to nothing inside the base runtime");
    }
    return current;
  }

  /** sha256 of the pinned lock, for labels. */
  public Sha256 key() {
    return recipe.key();
  }
}
