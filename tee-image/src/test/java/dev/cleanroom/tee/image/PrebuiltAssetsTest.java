package dev.cleanroom.tee.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.tee.api.ImageBuildException;
import dev.cleanroom.tee.base.BaseRuntimeRecipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrebuiltAssetsTest {
  private static final BaseRuntimeRecipe PINNED = BaseRuntimeRecipe.parse("jdk Temurin-25.0.3+9\nmodules java.base\n");
  private static final BaseRuntimeRecipe OTHER = BaseRuntimeRecipe.parse("jdk Temurin-25.0.4+1\nmodules java.base\n");

  @TempDir Path dir;

  @Test
  void writeThenRead_keepsTheFilesTheirModesAndTheBundle() throws Exception {
    PrebuiltAssets.write(rootfs(), PINNED, bundle(), dir.resolve("assets"));
    PrebuiltAssets assets = PrebuiltAssets.read(dir.resolve("assets"), PINNED);
    assertEquals("java", Files.readString(assets.baseRootfs().resolve("opt/java/bin/java")));
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(assets.baseRootfs().resolve("opt/java/bin/java"))));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(assets.baseRootfs().resolve("etc/passwd"))));
    assertEquals("rwxrwxrwx", PosixFilePermissions.toString(Files.getPosixFilePermissions(assets.baseRootfs().resolve("tmp"))));
    assertEquals(List.of("tee-image-1.jar", "kernel-1.jar"), assets.launcher().jars().stream().map(p -> p.getFileName().toString()).toList());
  }

  @Test
  void read_assetsOfAnotherLock_isRefused() throws Exception {
    PrebuiltAssets.write(rootfs(), OTHER, bundle(), dir.resolve("assets"));
    ImageBuildException e = assertThrows(ImageBuildException.class, () -> PrebuiltAssets.read(dir.resolve("assets"), PINNED));
    assertEquals("assets_mismatch", e.code());
    assertTrue(e.getMessage().contains("another base-runtime.lock"), e.getMessage());
  }

  @Test
  void read_aFolderWithoutABaseRuntime_saysWhatToGive() {
    ImageBuildException e = assertThrows(ImageBuildException.class, () -> PrebuiltAssets.read(dir, PINNED));
    assertEquals("assets_missing", e.code());
    assertTrue(e.getMessage().contains("has no base-runtime/ and base-runtime.key"), e.getMessage());
  }

  private Path rootfs() throws IOException {
    Path rootfs = dir.resolve("rootfs");
    Files.createDirectories(rootfs.resolve("opt/java/bin"));
    Files.writeString(rootfs.resolve("opt/java/bin/java"), "java");
    Files.setPosixFilePermissions(rootfs.resolve("opt/java/bin/java"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(rootfs.resolve("etc"));
    Files.writeString(rootfs.resolve("etc/passwd"), "nobody");
    Files.setPosixFilePermissions(rootfs.resolve("etc/passwd"), PosixFilePermissions.fromString("rw-r--r--"));
    Files.createDirectories(rootfs.resolve("tmp"));
    Files.setPosixFilePermissions(rootfs.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
    return rootfs;
  }

  private LauncherBundle bundle() throws Exception {
    Path lib = Files.createDirectories(dir.resolve("launcher/lib"));
    Files.writeString(lib.resolve("tee-image-1.jar"), "launcher");
    Files.writeString(lib.resolve("kernel-1.jar"), "kernel");
    Files.writeString(lib.resolve("stale-0.jar"), "left by an earlier build");
    Files.writeString(dir.resolve("launcher/classpath.txt"), "lib/kernel-1.jar\n");
    return LauncherBundle.at(dir.resolve("launcher"));
  }
}
