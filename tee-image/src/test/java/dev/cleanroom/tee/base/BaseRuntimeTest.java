package dev.cleanroom.tee.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.tee.api.ImageBuildException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseRuntimeTest {
  @Test
  void materializeLinks_anAbsoluteLink_copiesItsTargetInsideTheRoot(@TempDir Path root) throws IOException {
    Files.createDirectories(root.resolve("lib/x86_64-linux-gnu"));
    Files.writeString(root.resolve("lib/x86_64-linux-gnu/ld.so"), "the root's loader");
    Files.createDirectories(root.resolve("lib64"));
    // Absolute, as libc6 ships it: followed naively it would be the build machine's own loader.
    Files.createSymbolicLink(root.resolve("lib64/ld.so"), Path.of("/lib/x86_64-linux-gnu/ld.so"));
    BaseRuntime.materializeLinks(root);
    assertFalse(Files.isSymbolicLink(root.resolve("lib64/ld.so")));
    assertEquals("the root's loader", Files.readString(root.resolve("lib64/ld.so")));
  }

  @Test
  void materializeLinks_aRelativeChain_endsAtTheFile(@TempDir Path root) throws IOException {
    Files.writeString(root.resolve("libz.so.1.2.13"), "zlib");
    Files.createSymbolicLink(root.resolve("libz.so.1"), Path.of("libz.so.1.2.13"));
    Files.createSymbolicLink(root.resolve("libz.so"), Path.of("libz.so.1"));
    BaseRuntime.materializeLinks(root);
    assertEquals("zlib", Files.readString(root.resolve("libz.so")));
  }

  @Test
  void materializeLinks_aLinkOutOfTheRoot_isRefused(@TempDir Path dir) throws IOException {
    Path root = Files.createDirectories(dir.resolve("root"));
    Files.writeString(dir.resolve("outside"), "host file");
    Files.createSymbolicLink(root.resolve("escape"), Path.of("../outside"));
    IOException e = assertThrows(IOException.class, () -> BaseRuntime.materializeLinks(root));
    assertTrue(e.getMessage().contains("outside the base runtime"), e.getMessage());
  }

  @Test
  void rootfs_withAnotherJdk_isRefusedNamingThePin(@TempDir Path dir) throws IOException {
    Path jdk = Files.createDirectories(dir.resolve("jdk"));
    Files.writeString(jdk.resolve("release"), "IMPLEMENTOR_VERSION=\"Other-21.0.1+1\"\n");
    BaseRuntime base = new BaseRuntime(BaseRuntimeRecipe.pinned(), jdk, dir.resolve("cache"), line -> { });
    ImageBuildException e = assertThrows(ImageBuildException.class, base::rootfs);
    assertEquals("jdk_mismatch", e.code());
    assertTrue(e.getMessage().startsWith("Tried to link the image's JRE"), e.getMessage());
    assertTrue(e.getMessage().contains(BaseRuntimeRecipe.pinned().jdk()), e.getMessage());
  }
}
