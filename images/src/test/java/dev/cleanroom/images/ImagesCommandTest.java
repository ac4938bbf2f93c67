package dev.cleanroom.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command line of {@code dcr images}: usage errors exit 2 before anything is built. */
class ImagesCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new ImagesCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
  }

  @Test
  void run_anUnknownImage_isAUsageError() {
    assertEquals(2, run("--only", "cleanroom-bridge,cleanroom-hub"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("dcr images: no image 'cleanroom-hub'"));
  }

  @Test
  void run_anOptionWithoutItsValue_isAUsageError() {
    assertEquals(2, run("--push"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("dcr images: --push needs a value"));
  }

  @Test
  void run_help_printsTheUsageOnly() {
    assertEquals(0, run("--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: dcr images"));
    assertFalse(out.toString(StandardCharsets.UTF_8).contains("sha256:"));
  }
}
