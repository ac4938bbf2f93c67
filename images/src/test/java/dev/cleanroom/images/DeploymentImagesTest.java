package dev.cleanroom.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tags as registries take them (where images may go: RegistryAccessTest in tee-image). */
class DeploymentImagesTest {
  @TempDir Path dir;

  @Test
  void build_aTagNoRegistryTakes_isRefusedBeforeBuilding() {
    ImagesException e = assertThrows(ImagesException.class, () -> DeploymentImages.builder().checkout(dir).cacheDir(dir)
        .build().build(DeploymentImage.BRIDGE, dir.resolve("out"), "-latest"));
    assertEquals("build_failed", e.code());
    assertTrue(e.getMessage().contains("a tag is up to 128"), e.getMessage());
  }
}
