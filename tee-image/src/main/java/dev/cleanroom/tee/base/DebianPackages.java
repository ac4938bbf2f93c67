package dev.cleanroom.tee.base;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.tee.api.ImageBuildException;
import dev.cleanroom.tee.command.Command;
import dev.cleanroom.tee.fs.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Pinned Debian packages: fetched once with {@code apt-get download NAME=VERSION} into a cache folder
 * named by their sha256, checked against the lock file's sha256 on every use, and unpacked with
 * {@code dpkg-deb -x} (files only: no maintainer scripts run).
 *
 * <p>Invariant: a package's files reach the base runtime only after its .deb matched the pinned sha256.
 */
final class DebianPackages {
  private final Path cache;
  private final Consumer<String> progress;

  DebianPackages(Path cache, Consumer<String> progress) {
    this.cache = cache;
    this.progress = progress;
  }

  /** Unpacks the package's files into {@code rootfs}. */
  void extract(BaseRuntimeRecipe.DebianPackage pkg, Path rootfs) throws ImageBuildException {
    Path deb = fetch(pkg);
    try {
      Command.of(dpkgDeb(), "-x", deb.toString(), rootfs.toString()).check();
    } catch (IOException e) {
      throw new ImageBuildException("tool_failed", "Tried to unpack " + pkg.pin() + " but failed because: " + e.getMessage(), e);
    }
  }

  /** The package's .deb in the cache, fetched now if it is not there. */
  Path fetch(BaseRuntimeRecipe.DebianPackage pkg) throws ImageBuildException {
    Path cached = cache.resolve(pkg.sha256().hex() + ".deb");
    try {
      if (Files.isRegularFile(cached)) {
        requireHash(pkg, cached);
        return cached;
      }
      progress.accept("Fetching the pinned Debian package " + pkg.pin());
      Files.createDirectories(cache);
      Path download = Files.createTempDirectory(cache, "download-");
      try {
        download(pkg, download);
        Path deb;
        try (Stream<Path> files = Files.list(download)) {
          List<Path> debs = files.filter(f -> f.getFileName().toString().endsWith(".deb")).toList();
          if (debs.size() != 1) {
            throw new IOException("apt-get download left " + debs.size() + " .deb files");
          }
          deb = debs.get(0);
        }
        requireHash(pkg, deb);
        Files.move(deb, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return cached;
      } finally {
        FileTrees.delete(download);
      }
    } catch (IOException e) {
      throw new ImageBuildException("build_failed", "Tried to cache the pinned Debian package " + pkg.pin() + " in "
          + cache + " but failed because: " + e.getMessage(), e);
    }
  }

  private void download(BaseRuntimeRecipe.DebianPackage pkg, Path dir) throws ImageBuildException, IOException {
    if (Command.find("apt-get").isEmpty()) {
      throw new ImageBuildException("tool_missing", "Tried to fetch the pinned Debian package " + pkg.pin()
          + " but failed because: apt-get is not installed. Build on Debian, or put the .deb (sha256 "
          + pkg.sha256().hex() + ") into " + cache + " as " + pkg.sha256().hex() + ".deb.");
    }
    // APT drops to its _apt user to download; that user cannot write into a private cache folder.
    Command.Result result = Command.of("apt-get", "-q", "-o", "APT::Sandbox::User=root", "download", pkg.pin())
        .in(dir).timeout(Duration.ofMinutes(5)).run();
    if (!result.succeeded()) {
      throw new ImageBuildException("package_unavailable", "Tried to fetch the pinned Debian package " + pkg.pin()
          + " but failed because: apt-get download said: " + result.tail(3) + ". Run 'apt-get update' first; if"
          + " the archive no longer has this version, put its .deb (sha256 " + pkg.sha256().hex() + ", e.g. from"
          + " Debian's snapshot archive) into " + cache + " as " + pkg.sha256().hex() + ".deb, or pin the version"
          + " 'apt-cache policy " + pkg.name() + "' offers in base-runtime.lock (this changes every image digest).");
    }
  }

  private static void requireHash(BaseRuntimeRecipe.DebianPackage pkg, Path deb) throws ImageBuildException, IOException {
    Sha256 actual = Sha256.of(deb);
    if (!actual.equals(pkg.sha256())) {
      throw new ImageBuildException("package_tampered", "Tried to use the Debian package " + pkg.pin() + " but failed"
          + " because: its .deb has sha256 " + actual.abbreviated() + ", and base-runtime.lock pins "
          + pkg.sha256().abbreviated() + ". Delete " + deb + " and build again; if the archive serves this"
          + " content for the pinned version, do not use it.");
    }
  }

  private static String dpkgDeb() throws ImageBuildException {
    return Command.find("dpkg-deb").map(Path::toString).orElseThrow(() -> new ImageBuildException("tool_missing",
        "Tried to unpack the base runtime's Debian packages but failed because: dpkg-deb is not installed."
            + " Build on Debian (or install dpkg)."));
  }
}
