package dev.cleanroom.tee;

import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import dev.cleanroom.tee.api.ImageBuildException;
import dev.cleanroom.tee.api.ImageBuilder;
import dev.cleanroom.tee.api.LocalRun;
import dev.cleanroom.tee.api.SimulationException;
import dev.cleanroom.tee.api.TeeSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Stage-2 runs for the integration tests: the installed image builder (the packaged launcher bundle, the
 * pinned base runtime in $DCR_CACHE) and the simulator, runc where this runs as root.
 *
 * <p>Each run lays out a test folder as {@code data/} (the insurance dataset: the real rows, the policy and,
 * as the synthetic view the policy offers, the published DP synthetic rows {@code anchor-mst-synthetic.csv}),
 * {@code notebook.ipynb} and {@code out/} (the job folder), so a test can check that nothing else appeared there.
 */
public final class LocalRuns {
  public static final Path INSURANCE = Path.of("..", "datasets", "insurance").toAbsolutePath().normalize();
  private static final SimulatorKeys KEYS = SimulatorKeys.ephemeral();
  private static ImageBuilder builder;

  private LocalRuns() {}

  public static synchronized ImageBuilder builder() throws ImageBuildException {
    if (builder == null) {
      builder = ImageBuilder.builder().progress(line -> System.err.println("image: " + line)).build();
    }
    return builder;
  }

  public static boolean runc() {
    return TeeSimulator.bestIsolation() == SimulatedWorkload.Isolation.RUNC;
  }

  /** Runs {@code notebook} on the insurance dataset in {@code dir} (see the class comment). */
  public static LocalRun.Result run(Path dir, Path work, byte[] notebook, LocalRun.JobSettings settings,
      SimulatedWorkload.Isolation isolation) throws IOException, ImageBuildException, SimulationException {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.copy(INSURANCE.resolve("real.csv"), data.resolve("real.csv"));
    Files.copy(INSURANCE.resolve("policy.yaml"), data.resolve("policy.yaml"));
    Files.copy(INSURANCE.resolve("anchor-mst-synthetic.csv"), data.resolve("synthetic.csv"));
    Path file = Files.write(dir.resolve("notebook.ipynb"), notebook);
    return new LocalRun(builder(), KEYS, isolation, work, line -> System.err.println("run: " + line))
        .run(file, data, java.util.Optional.empty(), dir.resolve("out"), settings);
  }

  public static JobManifest manifest(Path jobFolder) throws IOException {
    return JobFolder.at(jobFolder).readReport().manifest();
  }

  /** The names directly in {@code dir}, sorted. */
  public static List<String> entries(Path dir) {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
