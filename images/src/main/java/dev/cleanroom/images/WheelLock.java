package dev.cleanroom.images;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.tee.command.Command;
import dev.cleanroom.tee.fs.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The single-user image's Python packages as {@code singleuser-wheels.lock} pins them: wheel files by name and
 * sha256, and pip's own wheel to install them with. Fetched once with the build machine's {@code pip download}
 * into a cache folder, and checked against the lock on every use.
 *
 * <p>Invariant: a wheel reaches the image only after its bytes matched the pinned sha256.
 */
record WheelLock(List<Wheel> wheels, Wheel pip, Sha256 key) {
  static final String RESOURCE = "singleuser-wheels.lock";
  /** The platform the wheels are for: the image's CPython 3.11 on glibc 2.36, x86_64. */
  static final List<String> PLATFORM = List.of("--python-version", "3.11", "--implementation", "cp",
      "--abi", "cp311", "--abi", "abi3", "--abi", "none", "--platform", "manylinux2014_x86_64",
      "--platform", "manylinux_2_17_x86_64", "--platform", "manylinux_2_28_x86_64", "--platform", "manylinux_2_34_x86_64");

  private static final Pattern WHEEL = Pattern.compile("([A-Za-z0-9_.]+)-([^-]+)-.*\\.whl");

  /** One pinned wheel; {@code name} and {@code version} come from its file name. */
  record Wheel(String file, Sha256 sha256) {
    String name() {
      return part(1);
    }

    String version() {
      return part(2);
    }

    /** {@code name==version}, as pip takes it. */
    String pin() {
      return name() + "==" + version();
    }

    private String part(int group) {
      Matcher m = WHEEL.matcher(file);
      if (!m.matches()) {
        throw new IllegalStateException(file + " is not a wheel file name");
      }
      return m.group(group);
    }
  }

  WheelLock {
    wheels = List.copyOf(wheels);
  }

  static WheelLock pinned() {
    try (InputStream in = WheelLock.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the images jar");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("Tried to read " + RESOURCE + " but failed because: " + e.getMessage(), e);
    }
  }

  static WheelLock parse(String text) {
    List<Wheel> wheels = new ArrayList<>();
    Wheel pip = null;
    int number = 0;
    for (String raw : text.split("\n")) {
      number++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\\s+");
      if (f.length != 3 || !(f[0].equals("wheel") || f[0].equals("tool")) || !WHEEL.matcher(f[1]).matches()) {
        throw new IllegalArgumentException(RESOURCE + " line " + number + ": an entry is 'wheel|tool FILE.whl SHA256'");
      }
      Wheel wheel = new Wheel(f[1], new Sha256(f[2]));
      if (f[0].equals("tool")) {
        pip = wheel;
      } else {
        wheels.add(wheel);
      }
    }
    if (pip == null || !pip.name().equals("pip")) {
      throw new IllegalArgumentException(RESOURCE + " needs one 'tool pip-....whl' entry");
    }
    return new WheelLock(wheels, pip, Sha256.of(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** A folder holding exactly the pinned wheels and pip's, fetched into {@code cache} first where missing. */
  Path fetch(Path cache, Consumer<String> progress) throws ImagesException {
    List<Wheel> all = new ArrayList<>(wheels);
    all.add(pip);
    try {
      Files.createDirectories(cache);
      List<Wheel> missing = all.stream().filter(w -> !Files.isRegularFile(cache.resolve(w.file()))).toList();
      if (!missing.isEmpty()) {
        download(missing, cache, progress);
      }
      for (Wheel wheel : all) {
        Sha256 actual = Sha256.of(cache.resolve(wheel.file()));
        if (!actual.equals(wheel.sha256())) {
          throw new ImagesException("wheels_failed", "Tried to use the wheel " + wheel.file() + " but failed because:"
              + " it has sha256 " + actual.abbreviated() + ", and " + RESOURCE + " pins " + wheel.sha256().abbreviated()
              + ". Delete " + cache.resolve(wheel.file()) + " and build again; if the index serves these bytes, do not use it.");
        }
      }
      return cache;
    } catch (IOException e) {
      throw new ImagesException("wheels_failed", "Tried to cache the pinned wheels in " + cache + " but failed"
          + " because: " + e.getMessage() + ". Check that the cache folder is writable (DCR_CACHE).", e);
    }
  }

  private static void download(List<Wheel> missing, Path cache, Consumer<String> progress) throws ImagesException, IOException {
    progress.accept("Fetching " + missing.size() + " pinned wheels with pip download (once)");
    Path python = Command.find("python3").orElseThrow(() -> new ImagesException("wheels_failed", "Tried to fetch the"
        + " single-user image's wheels but failed because: python3 is not installed (its pip downloads them)."
        + " Install Python 3 with pip, or put the wheels " + RESOURCE + " names into " + cache + "."));
    Path download = Files.createTempDirectory(cache, "download-");
    try {
      List<String> argv = new ArrayList<>(List.of(python.toString(), "-m", "pip", "download", "-q",
          "--disable-pip-version-check", "--no-deps", "--only-binary=:all:", "-d", download.toString()));
      argv.addAll(PLATFORM);
      missing.forEach(w -> argv.add(w.pin()));
      Command.Result result = Command.of(argv).timeout(Duration.ofMinutes(10)).run();
      if (!result.succeeded()) {
        throw new ImagesException("wheels_failed", "Tried to fetch the pinned wheels but failed because: pip"
            + " download said: " + result.tail(3) + ". Check that pip can reach its index, or put the wheels "
            + RESOURCE + " names into " + cache + ".");
      }
      try (Stream<Path> files = Files.list(download)) {
        for (Path file : files.toList()) {
          Files.move(file, cache.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      for (Wheel wheel : missing) {
        if (!Files.isRegularFile(cache.resolve(wheel.file()))) {
          throw new ImagesException("wheels_failed", "Tried to fetch " + wheel.file() + " but failed because: the"
              + " index offered another file for " + wheel.pin() + ". Pin the file it offers in " + RESOURCE
              + " (this changes the single-user image's digest).");
        }
      }
    } finally {
      FileTrees.delete(download);
    }
  }
}
