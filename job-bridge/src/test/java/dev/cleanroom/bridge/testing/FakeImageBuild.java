package dev.cleanroom.bridge.testing;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.bridge.backend.BuiltImage;
import dev.cleanroom.bridge.backend.ImageBuild;
import dev.cleanroom.tee.api.ApprovedInputs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for the tee-image build: the "image" is a folder holding the notebook and its approved inputs, and its
 * digest is the sha256 of both with a fixed salt, so that building again gives the same digest and the same notebook
 * approved for other inputs another, as the real build does.
 */
public final class FakeImageBuild implements ImageBuild {
  private final Path images;
  private final AtomicInteger builds = new AtomicInteger();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile Duration takes = Duration.ZERO;

  public FakeImageBuild(Path images) {
    this.images = images;
  }

  public static String digestOf(byte[] notebook, ApprovedInputs inputs) {
    byte[] salted = ("fake-image\n" + new String(notebook, StandardCharsets.UTF_8) + "\n" + inputs.toList())
        .getBytes(StandardCharsets.UTF_8);
    return "sha256:" + Sha256.of(salted).hex();
  }

  @Override
  public BuiltImage build(String jobId, Path notebook, ApprovedInputs inputs) throws IOException {
    builds.incrementAndGet();
    try {
      Thread.sleep(takes.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
    if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IOException("the base layer cache is locked by another build");
    }
    Path image = Files.createDirectories(images.resolve(jobId));
    Files.copy(notebook, image.resolve("notebook.ipynb"), StandardCopyOption.REPLACE_EXISTING);
    Files.write(image.resolve("inputs.json"), inputs.toJson());
    return new BuiltImage(image.toString(), digestOf(Files.readAllBytes(notebook), inputs));
  }

  /** The folder the images are built into: their repository, as the deployment's trust file names it. */
  public Path folder() {
    return images.toAbsolutePath();
  }

  public int builds() {
    return builds.get();
  }

  /** The next {@code count} builds fail with an IOException (a transient failure). */
  public void failNext(int count) {
    failuresLeft.set(count);
  }

  public void takes(Duration value) {
    takes = value;
  }
}
