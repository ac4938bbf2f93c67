package dev.cleanroom.images;

import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.kernel.jupyter.KernelSpec;
import dev.cleanroom.tee.api.ImageBuildException;
import dev.cleanroom.tee.base.BaseRuntime;
import dev.cleanroom.tee.base.BaseRuntimeRecipe;
import dev.cleanroom.tee.command.Command;
import dev.cleanroom.tee.fs.FileTrees;
import dev.cleanroom.tee.image.ImageAssembler;
import dev.cleanroom.tee.image.Staging;
import dev.cleanroom.tee.layout.ImageLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The single-user Jupyter server's image: the base runtime with CPython 3.11 from pinned Debian packages (one
 * layer), a Python environment at {@value #PREFIX} with JupyterLab and jupyterhub-singleuser from the pinned
 * wheels (one layer), and the dcr-java kernelspec with the kernel's jars (the last layer, which changes most).
 * The entry point is {@code jupyterhub-singleuser}; JupyterHub's spawner gives its settings in the environment.
 *
 * <p>The Python environment is made by the image's own interpreter, in a chroot of the image's root (so root is
 * needed): {@code venv} and pip's {@code install --no-compile --no-deps} from local wheels only. Everything
 * that would tie its bytes to the build (byte code, the build machine's interpreter path in script shebangs and
 * {@code RECORD}, file times, modes) is fixed: no {@code __pycache__}, the interpreter is {@value #PREFIX}/bin/python3
 * in every run, times and owners are Jib's fixed ones, modes 0644/0755.
 *
 * <p>Invariant: the same lock files, kernel jars and this class give the same image digest.
 */
final class SingleUserImage {
  /** Bump when the environment's assembly changes, so that no cache holds one made the old way. */
  static final String ASSEMBLY_VERSION = "1";
  static final String PYTHON_RESOURCE = "singleuser-python.lock";
  static final String PREFIX = "/opt/jupyter";
  static final String PYTHON = "/usr/bin/python3.11";
  static final String KERNEL_DIR = PREFIX + "/share/jupyter/kernels/" + KernelSpec.NAME;
  static final String ENTRYPOINT = PREFIX + "/bin/jupyterhub-singleuser";

  private static final FilePermissions READ_ONLY = FilePermissions.fromOctalString("644");
  private static final Object IN_THIS_JVM = new Object();

  private final Path checkout;
  private final Path cacheDir;
  private final BaseRuntime python;
  private final Consumer<String> progress;

  SingleUserImage(Path checkout, Path javaHome, Path cacheDir, Consumer<String> progress) {
    this.checkout = checkout;
    this.cacheDir = cacheDir;
    this.python = new BaseRuntime(pythonRecipe(), javaHome, cacheDir, progress);
    this.progress = progress;
  }

  /** tee-image's pinned base runtime plus {@value #PYTHON_RESOURCE}: one lock, one cached root. */
  static BaseRuntimeRecipe pythonRecipe() {
    return BaseRuntimeRecipe.parse(resource(BaseRuntimeRecipe.class, BaseRuntimeRecipe.RESOURCE) + "\n"
        + resource(SingleUserImage.class, PYTHON_RESOURCE));
  }

  JibContainerBuilder container(Staging staging, Map<String, String> labels, int port)
      throws ImagesException, ImageBuildException, IOException {
    Path rootfs = python.rootfs();
    Path environment = environment(rootfs);
    JavaApplication kernel = JavaApplication.built(checkout.resolve("kernel"), "dev.cleanroom.kernel.jupyter.KernelMain");
    Map<String, String> env = new java.util.LinkedHashMap<>(ServiceImage.environment());
    env.put("PATH", PREFIX + "/bin:" + ImageLayout.JAVA_HOME + "/bin:/usr/bin:/bin");
    // The root is read-only where deployments can make it so: never try to write byte code beside the sources.
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    return Jib.fromScratch()
        .setFormat(ImageFormat.OCI)
        .setCreationTime(Instant.EPOCH)
        .setFileEntriesLayers(ImageAssembler.rootfsLayer("python runtime", rootfs),
            ImageAssembler.rootfsLayer("jupyter", environment), kernelLayer(kernel, staging))
        .setEntrypoint(List.of(ENTRYPOINT))
        .setEnvironment(env)
        .setExposedPorts(Set.of(Port.tcp(port)))
        .setUser(ImageLayout.UID + ":" + ImageLayout.GID)
        .setWorkingDirectory(AbsoluteUnixPath.get(ImageLayout.TMP))
        .setLabels(labels);
  }

  /** The kernelspec as {@code ./dcr kernel install} writes it, but with the image's java and jars in class path order. */
  private static FileEntriesLayer kernelLayer(JavaApplication kernel, Staging staging) throws IOException {
    Path scratch = Files.createTempDirectory("dcr-kernelspec");
    try {
      List<String> classpath = kernel.classpath().stream().map(j -> KERNEL_DIR + "/lib/" + j.getFileName()).toList();
      Path spec = KernelSpec.write(scratch, Path.of(ImageLayout.JAVA), String.join(":", classpath), Map.of());
      Path kernelJson = staging.stage(Files.readAllBytes(spec.resolve("kernel.json")), "kernel.json");
      FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("kernel");
      layer.addEntry(entry(kernelJson, KERNEL_DIR + "/kernel.json"));
      for (Path jar : kernel.classpath().stream().sorted((a, b) -> a.getFileName().compareTo(b.getFileName())).toList()) {
        layer.addEntry(entry(jar, KERNEL_DIR + "/lib/" + jar.getFileName()));
      }
      return layer.build();
    } finally {
      FileTrees.deleteScratch(scratch, line -> { });
    }
  }

  /**
   * The folder whose {@value #PREFIX} is the Python environment (only that subtree), from the cache or made now
   * (once per python runtime and wheel lock, under a lock).
   */
  Path environment(Path rootfs) throws ImagesException {
    WheelLock wheels = WheelLock.pinned();
    String key = Sha256.of(("assembly " + ASSEMBLY_VERSION + "\nruntime " + python.key().hex() + "\nwheels "
        + wheels.key().hex() + "\n").getBytes(StandardCharsets.UTF_8)).hex().substring(0, 16);
    Path entry = cacheDir.resolve("images").resolve("jupyter").resolve(key);
    Path complete = entry.resolve("complete");
    if (Files.exists(complete)) {
      return entry.resolve("root");
    }
    synchronized (IN_THIS_JVM) {
      try {
        Files.createDirectories(entry.getParent());
        try (FileChannel lockFile = FileChannel.open(entry.getParent().resolve(key + ".lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
          FileLock lock = lockFile.lock();
          try {
            if (Files.exists(complete)) {
              return entry.resolve("root");
            }
            Path wheelDir = wheels.fetch(cacheDir.resolve("images").resolve("wheels"), progress);
            Path staging = entry.getParent().resolve(key + ".tmp-" + ProcessHandle.current().pid());
            FileTrees.delete(staging);
            FileTrees.delete(entry);
            install(rootfs, wheels, wheelDir, staging);
            Files.writeString(staging.resolve("complete"), key + "\n");
            Files.move(staging, entry, StandardCopyOption.ATOMIC_MOVE);
            return entry.resolve("root");
          } finally {
            lock.release();
          }
        }
      } catch (IOException e) {
        throw new ImagesException("python_failed", "Tried to make the single-user Python environment in " + entry
            + " but failed because: " + e.getMessage() + ". Check that the cache folder is writable (DCR_CACHE).", e);
      }
    }
  }

  /** Makes the environment in a chroot of a copy of the runtime, then keeps only {@value #PREFIX} of it. */
  private void install(Path rootfs, WheelLock wheels, Path wheelDir, Path staging) throws ImagesException, IOException {
    if (!Command.isRoot() || Command.find("chroot").isEmpty()) {
      throw new ImagesException("needs_root", "Tried to make the single-user image's Python environment but failed"
          + " because: its interpreter runs in a chroot of the image's root, which needs root (and chroot)."
          + " Build the single-user image as root, or build only the others (--only cleanroom-bridge,cleanroom-dp-service).");
    }
    progress.accept("Installing " + wheels.wheels().size() + " pinned wheels into " + PREFIX + " (once per lock)");
    Path chroot = staging.resolve("chroot");
    Files.createDirectories(staging);
    Command.of("cp", "-a", rootfs.toString(), chroot.toString()).check();
    Path tmpWheels = Files.createDirectories(chroot.resolve("tmp/wheels"));
    List<String> pins = new ArrayList<>();
    for (WheelLock.Wheel wheel : wheels.wheels()) {
      Files.copy(wheelDir.resolve(wheel.file()), tmpWheels.resolve(wheel.file()));
      pins.add(wheel.pin());
    }
    Files.copy(wheelDir.resolve(wheels.pip().file()), chroot.resolve("tmp").resolve(wheels.pip().file()));
    Files.writeString(chroot.resolve("tmp/requirements.txt"), String.join("\n", pins) + "\n");
    inChroot(chroot, PYTHON, "-m", "venv", "--without-pip", "--copies", PREFIX);
    // Named requirements from a local folder, not wheel paths: pip then writes no direct_url.json naming the folder.
    inChroot(chroot, PREFIX + "/bin/python3", "/tmp/" + wheels.pip().file() + "/pip", "install", "--no-index",
        "--find-links", "/tmp/wheels", "--no-deps", "--no-compile", "--no-cache-dir", "--disable-pip-version-check",
        "--no-warn-script-location", "--only-binary=:all:", "-r", "/tmp/requirements.txt");
    Path root = staging.resolve("root");
    Path prefix = root.resolve(PREFIX.substring(1));
    Files.createDirectories(prefix.getParent());
    Files.move(chroot.resolve(PREFIX.substring(1)), prefix);
    FileTrees.delete(chroot);
    Files.deleteIfExists(prefix.resolve("lib64")); // venv's link to lib/; nothing reads it, and layers take no links
    // No byte code, no links, modes 0644/0755: the environment's bytes are the wheels' and pip's, nothing else.
    FileTrees.normalizeModes(prefix, "the environment", Set.of("__pycache__"));
  }

  private static void inChroot(Path chroot, String... argv) throws ImagesException, IOException {
    List<String> command = new ArrayList<>(List.of("chroot", chroot.toString()));
    command.addAll(List.of(argv));
    Command.Result result = Command.of(command).withoutInheritedEnvironment()
        .env("PATH", "/usr/bin:/bin").env("HOME", "/tmp").env("LANG", "C.UTF-8").env("TZ", "UTC")
        .env("PYTHONDONTWRITEBYTECODE", "1").env("PYTHONHASHSEED", "0").env("SOURCE_DATE_EPOCH", "0")
        .timeout(Duration.ofMinutes(10)).run();
    if (!result.succeeded()) {
      throw new ImagesException("python_failed", "Tried to run '" + String.join(" ", argv) + "' in the single-user"
          + " image's root but failed because: it said: " + result.tail(5) + ". Check " + WheelLock.RESOURCE + " and "
          + PYTHON_RESOURCE + " against jupyterhub-config/constraints.txt.");
    }
  }

  private static String resource(Class<?> owner, String name) {
    try (InputStream in = owner.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the jar of " + owner.getName());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("Tried to read " + name + " but failed because: " + e.getMessage(), e);
    }
  }

  private static FileEntry entry(Path source, String pathInImage) {
    return new FileEntry(source, AbsoluteUnixPath.get(pathInImage), READ_ONLY, FileEntriesLayer.DEFAULT_MODIFICATION_TIME, "0:0");
  }
}
