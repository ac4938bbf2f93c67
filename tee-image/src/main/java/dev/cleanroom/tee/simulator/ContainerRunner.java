package dev.cleanroom.tee.simulator;

import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.tee.api.JobConfig;
import dev.cleanroom.tee.api.SimulationException;
import dev.cleanroom.tee.image.OciLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs one unpacked image the way Confidential Space would, with its launcher socket folder, its inputs
 * (read-only) and its job folder (writable). One instance per run: {@link #prepare}, then {@link #run}.
 */
public interface ContainerRunner {
  /** The container as it will run: what the token's {@code submods.container} attests. */
  record Container(Map<String, String> environment, List<String> arguments) {
    public Container {
      environment = Map.copyOf(environment);
      arguments = List.copyOf(arguments);
    }
  }

  SimulatedWorkload.Isolation isolation();

  /** Unpacks the image into {@code work} and sets the container up; nothing runs yet. */
  Container prepare(OciLayout image, Path work, JobConfig job, Path inputDir, Path jobDir, Path socketDir)
      throws SimulationException;

  /** Runs the container to its end; returns the launcher's exit status. */
  int run(Consumer<String> log, Duration timeout) throws SimulationException;

  /** The image's environment with the job's variables: what the launcher sees. */
  static Map<String, String> environment(Map<String, String> image, JobConfig job) {
    Map<String, String> env = new java.util.LinkedHashMap<>(image);
    env.remove("TERM"); // umoci adds it for terminals; the launcher has none
    env.putAll(job.environment());
    return env;
  }
}
