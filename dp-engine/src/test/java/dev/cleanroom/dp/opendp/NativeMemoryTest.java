package dev.cleanroom.dp.opendp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A million invocations of a chained measurement must keep native memory flat: every argument and
 * answer object is freed by its owner. Measured as the growth of the process's resident set (RSS) after a
 * warm-up and a GC. The heap's own resizing moves RSS too: in the suite's order it measured about 0 KiB,
 * but after other heap states it has moved by more than the bound, so keep this test's loop free of
 * Java allocations beyond the wrappers it closes.
 */
class NativeMemoryTest {
  private static final int INVOCATIONS = 1_000_000;

  /**
   * The bound. A leak of even the smallest native object per call (an 8-byte f64 answer boxed by
   * OpenDP is 30+ bytes with allocator overhead) would grow RSS by more than 30 MB over a million
   * calls; allocator and JIT noise after warm-up stays far below that.
   */
  private static final long MAX_GROWTH_BYTES = 16L * 1024 * 1024;

  @Test
  void aMillionInvocationsOfAChainedMeasurementKeepNativeMemoryFlat() throws IOException {
    try (Measurement measurement = CombinatorsTest.laplaceSum(10)) {
      double[] row = {12, 55.5, 130, -4, 77};
      invoke(measurement, row, 100_000); // warm-up: JIT, allocator arenas, lazily created caches
      System.gc();
      long before = residentBytes();
      invoke(measurement, row, INVOCATIONS);
      System.gc();
      long growth = residentBytes() - before;
      assertTrue(growth < MAX_GROWTH_BYTES,
          "RSS grew by " + growth / 1024 + " KiB over " + INVOCATIONS + " invocations (bound "
              + MAX_GROWTH_BYTES / 1024 + " KiB)");
    }
  }

  private static void invoke(Measurement measurement, double[] row, int times) {
    double checksum = 0;
    for (int i = 0; i < times; i++) {
      try (Data input = Data.vecF64(row); Data output = measurement.invoke(input)) {
        checksum += output.asF64();
      }
    }
    assertTrue(Double.isFinite(checksum));
  }

  private static long residentBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("/proc/self/status has no VmRSS line");
  }
}
