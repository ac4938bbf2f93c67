package dev.cleanroom.bridge.local;

import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import dev.cleanroom.bridge.backend.FileTrees;
import dev.cleanroom.tee.api.JobConfig;
import dev.cleanroom.tee.api.SimulationException;
import dev.cleanroom.tee.api.TeeSimulator;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One job's run in the local Confidential Space simulator, as a process of its own (started by
 * {@link LocalSimulatorPlatform} through {@link DetachedRuns}), so that the run and its launcher socket outlive a
 * bridge that is killed: the TEE side of the local platform.
 *
 * <pre>SimulatedRunMain RUN_FOLDER IMAGE_LAYOUT JOB_FOLDER KEYS_FILE ISOLATION</pre>
 *
 * Reads {@code env} (the launcher's variables) and {@code inputs} ({@code name=URI} lines) from the run folder,
 * stages the inputs read-only for the container, runs the image with the simulator's issuer on the launcher
 * socket, and deletes the staged copy of the real rows whatever happens. Exits 0 when the launcher left an attested
 * result in the job folder (a failed notebook included), 3 when it could not run.
 */
public final class SimulatedRunMain {
  private SimulatedRunMain() {}

  public static void main(String[] args) throws Exception {
    Path run = Path.of(args[0]);
    Path layout = Path.of(args[1]);
    Path jobFolder = Path.of(args[2]);
    SimulatorKeys keys = SimulatorKeys.loadOrCreate(Path.of(args[3]));
    SimulatedWorkload.Isolation isolation = SimulatedWorkload.Isolation.valueOf(args[4]);
    JobConfig job = JobConfig.fromEnvironment(pairs(run.resolve("env")));
    Path input = run.resolve("input");
    // The launcher socket lives under the simulator's scratch folder, and a Unix socket's path has at most 107
    // bytes: a short folder of its own, not one deep in the bridge's state.
    Path scratch = Files.createTempDirectory("dcr-run-");
    try {
      stage(pairs(run.resolve("inputs")), input);
      clearEmptyFolders(jobFolder);
      try (TeeSimulator tee = TeeSimulator.start(keys, isolation, scratch)) {
        tee.run(layout, job, input, jobFolder, line -> System.out.println("launcher: " + line));
      }
      System.out.println("simulator: job " + job.jobId() + " ended with an attested result");
    } catch (SimulationException e) {
      System.out.println("simulator: " + e.getMessage() + " [" + e.code() + "]");
      System.exit(3);
    } finally {
      FileTrees.delete(input); // the real rows leave this machine's disk with the run
      FileTrees.delete(scratch);
    }
  }

  private static Map<String, String> pairs(Path file) throws IOException {
    Map<String, String> pairs = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      int equals = line.indexOf('=');
      if (equals > 0) {
        pairs.put(line.substring(0, equals), line.substring(equals + 1));
      }
    }
    return pairs;
  }

  /** Puts each input at its name under {@code input}, readable by the container's user. */
  private static void stage(Map<String, String> inputs, Path input) throws IOException {
    FileTrees.delete(input);
    Files.createDirectories(input);
    for (Map.Entry<String, String> entry : inputs.entrySet()) {
      Path target = input.resolve(entry.getKey()).normalize();
      if (!target.startsWith(input)) {
        throw new IOException("input name '" + entry.getKey() + "' points outside the input folder");
      }
      Files.createDirectories(target.getParent());
      // A copy, not a link: the container's user must read it, and the provider's own file keeps its mode.
      Files.copy(Path.of(URI.create(entry.getValue())), target, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
    }
    try (Stream<Path> dirs = Files.walk(input)) {
      for (Path dir : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
  }

  /** A run started again after a lost one finds the folders the lost one made; the simulator wants none. */
  private static void clearEmptyFolders(Path jobFolder) throws IOException {
    if (!Files.isDirectory(jobFolder)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(jobFolder)) {
      for (Path dir : (Iterable<Path>) walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder())::iterator) {
        if (!dir.equals(jobFolder)) {
          try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isEmpty()) {
              Files.delete(dir);
            }
          }
        }
      }
    }
  }


}
