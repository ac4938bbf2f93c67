package dev.cleanroom.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where images may go: plain HTTP only to this machine's loopback; tags as registries take them. */
class DeploymentImagesTest {
  @TempDir Path dir;

  @Test
  void isLoopback_onlyForThisMachinesLoopback() {
    assertTrue(DeploymentImages.isLoopback("127.0.0.1:5000"));
    assertTrue(DeploymentImages.isLoopback("localhost:5000"));
    assertTrue(DeploymentImages.isLoopback("[::1]:5000"));
    assertFalse(DeploymentImages.isLoopback("10.0.0.1:5000"));
  }

  @Test
  void build_aTagNoRegistryTakes_isRefusedBeforeBuilding() {
    ImagesException e = assertThrows(ImagesException.class, () -> DeploymentImages.builder().checkout(dir).cacheDir(dir)
        .build().build(DeploymentImage.BRIDGE, dir.resolve("out"), "-latest"));
    assertEquals("build_failed", e.code());
    assertTrue(e.getMessage().contains("a tag is up to 128"), e.getMessage());
  }
}
