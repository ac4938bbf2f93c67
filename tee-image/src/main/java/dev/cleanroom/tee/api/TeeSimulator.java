package dev.cleanroom.tee.api;

import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.simulator.OidcServer;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.attestation.simulator.SimulatorIssuer;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import dev.cleanroom.attestation.token.TeeServer;
import dev.cleanroom.tee.command.Command;
import dev.cleanroom.tee.fs.FileTrees;
import dev.cleanroom.tee.image.OciLayout;
import dev.cleanroom.tee.simulator.ContainerRunners;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A local stand-in for Confidential Space: runs a stage-2 image on this machine with the launcher socket
 * served by the simulator's token issuer, and publishes the issuer's discovery document and JWKS on
 * loopback, as Google's verifier does.
 *
 * <pre>{@code
 * try (TeeSimulator tee = TeeSimulator.start(keys, TeeSimulator.bestIsolation(), work)) {
 *   SimulatedRun run = tee.run(image.layout().get(), job, inputDir, jobFolder, System.err::println);
 * }
 * }</pre>
 *
 * <p>Invariant: the token a run gets names the digest of the image that really ran (read and checked
 * from its layout, never taken from the caller or the workload) and how it was isolated: {@code RUNC}
 * (root, runc) or {@code PROCESS} (no isolation, only when the caller asks for it). Either way it is marked
 * simulated, so it never passes strict verification. The launcher socket's folder is reachable only by this
 * process's user.
 */
public final class TeeSimulator implements AutoCloseable {
  private final SimulatorIssuer issuer;
  private final OidcServer oidc;
  private final SimulatedWorkload.Isolation isolation;
  private final Path work;

  private TeeSimulator(SimulatorIssuer issuer, OidcServer oidc, SimulatedWorkload.Isolation isolation, Path work) {
    this.issuer = issuer;
    this.oidc = oidc;
    this.isolation = isolation;
    this.work = work;
  }

  /**
   * Starts the simulator: its issuer signs with {@code keys}; runs use {@code isolation} and scratch
   * folders under {@code work}.
   */
  public static TeeSimulator start(SimulatorKeys keys, SimulatedWorkload.Isolation isolation, Path work)
      throws SimulationException {
    requireIsolation(isolation);
    try {
      Files.createDirectories(work);
      return new TeeSimulator(new SimulatorIssuer(keys, Clock.systemUTC()), OidcServer.start(keys, 0), isolation, work);
    } catch (IOException e) {
      throw new SimulationException("tool_failed", "Tried to start the simulator's issuer but failed because: "
          + e.getMessage(), e);
    }
  }

  /**
   * RUNC where this process is root and runc and umoci are installed, else PROCESS: for tests and benchmarks that
   * run wherever they can. A service chooses its isolation explicitly ({@link #requireIsolation}).
   */
  public static SimulatedWorkload.Isolation bestIsolation() {
    return Command.isRoot() && Command.find("runc").isPresent() && Command.find("umoci").isPresent()
        ? SimulatedWorkload.Isolation.RUNC
        : SimulatedWorkload.Isolation.PROCESS;
  }

  /** Checks that {@code isolation} can run here; PROCESS always can, RUNC needs root, runc and umoci. */
  public static void requireIsolation(SimulatedWorkload.Isolation isolation) throws SimulationException {
    if (isolation == SimulatedWorkload.Isolation.RUNC) {
      requireRunc();
    }
  }

  private static void requireRunc() throws SimulationException {
    if (!Command.isRoot()) {
      throw new SimulationException("isolation_unavailable", "Tried to run the image with runc but failed because:"
          + " runc needs root here. Run as root, or ask for the plain-process simulator explicitly (dcr run-local"
          + " --process, or the bridge's --tee-option isolation=process: no isolation at all, which the token records and dcr verify accepts only with"
          + " --allow-hwmodel CLEANROOM_SIMULATED_PROCESS).");
    }
    for (String tool : List.of("runc", "umoci")) {
      if (Command.find(tool).isEmpty()) {
        throw new SimulationException("tool_missing", "Tried to run the image with runc but failed because: " + tool
            + " is not installed. Install it: apt-get install runc umoci.");
      }
    }
  }

  public SimulatedWorkload.Isolation isolation() {
    return isolation;
  }

  /** The issuer's OIDC discovery document (on loopback), for archiving its JWKS or {@code dcr verify --discovery}. */
  public URI discoveryUrl() {
    return oidc.discoveryUrl();
  }

  /**
   * Runs the image in {@code layoutDir} for {@code job}: inputs from {@code inputDir} (read-only), results
   * into {@code jobFolder}, which must be empty or absent. Returns when the launcher has ended.
   *
   * @param launcherLog receives the launcher's log lines as they come
   * @throws SimulationException when the image could not run or the launcher wrote no attested result;
   *     a job that ran and failed is not an exception: its manifest says why
   */
  public SimulatedRun run(Path layoutDir, JobConfig job, Path inputDir, Path jobFolder, Consumer<String> launcherLog)
      throws SimulationException {
    OciLayout image;
    try {
      image = OciLayout.read(layoutDir);
    } catch (IOException e) {
      throw new SimulationException("invalid_image", "Tried to read the image in " + layoutDir + " but failed because: "
          + e.getMessage(), e);
    }
    Path runWork = null;
    Path socketDir = null;
    Map<String, Duration> steps = new LinkedHashMap<>();
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    try {
      runWork = Files.createTempDirectory(work, "run-");
      prepareJobFolder(jobFolder);
      // A Unix socket's path may have at most 107 bytes, so its folder is a short one in the temporary folder. It is
      // this user's alone: another user of the host (a scientist's stage-1 kernel) must not reach the socket and mint
      // tokens; in the container the launcher, root, reaches it and the notebook's user does not.
      socketDir = Files.createTempDirectory("dcr-launcher-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      long start = System.nanoTime();
      var runner = ContainerRunners.create(isolation);
      var container = runner.prepare(image, runWork, job, inputDir.toAbsolutePath(), jobFolder.toAbsolutePath(), socketDir);
      steps.put("unpack", Duration.ofNanos(System.nanoTime() - start));
      SimulatedWorkload workload = SimulatedWorkload.of(image.reference(), image.digest())
          .withIsolation(isolation)
          .withContainer(image.configDigest(), container.environment(), container.arguments());
      int status;
      start = System.nanoTime();
      TeeServer server = TeeServer.start(socketDir.resolve("teeserver.sock"), issuer.forWorkload(workload));
      try {
        status = runner.run(line -> {
          log.add(line);
          launcherLog.accept(line);
        }, job.totalTimeout().plus(Duration.ofMinutes(3)));
      } finally {
        server.close();
      }
      steps.put("run", Duration.ofNanos(System.nanoTime() - start));
      JobFolder folder = JobFolder.at(jobFolder);
      if (status != 0 || !Files.isRegularFile(jobFolder.resolve(JobFolder.MANIFEST)) || !Files.isRegularFile(jobFolder.resolve(JobFolder.TOKEN))) {
        String tail = log.isEmpty() ? "(no log)" : String.join(" | ", log.subList(Math.max(0, log.size() - 3), log.size()));
        throw new SimulationException("no_attestation", "Tried to run job " + job.jobId() + " in the simulator but"
            + " failed because: the launcher ended with status " + status + " and left no manifest and token in "
            + folder.dir() + ". Its log ends: " + tail);
      }
      return new SimulatedRun(folder.dir(), image.digest(), isolation, log, steps);
    } catch (IOException e) {
      throw new SimulationException("tool_failed", "Tried to run job " + job.jobId() + " in the simulator but failed"
          + " because: " + e.getMessage(), e);
    } finally {
      FileTrees.deleteScratch(runWork, launcherLog);
      FileTrees.deleteScratch(socketDir, launcherLog);
    }
  }

  /** An empty job folder the notebook's user (nobody) can write, as Confidential Space's would be. */
  private void prepareJobFolder(Path jobFolder) throws IOException, SimulationException {
    if (Files.exists(jobFolder)) {
      try (var entries = Files.list(jobFolder)) {
        if (entries.findAny().isPresent()) {
          throw new SimulationException("launcher_failed", "Tried to run a job into " + jobFolder + " but failed"
              + " because: the folder is not empty. Give a new or empty folder.");
        }
      }
    }
    Files.createDirectories(jobFolder);
    if (isolation == SimulatedWorkload.Isolation.RUNC) {
      Files.setAttribute(jobFolder, "unix:uid", dev.cleanroom.tee.layout.ImageLayout.UID);
      Files.setAttribute(jobFolder, "unix:gid", dev.cleanroom.tee.layout.ImageLayout.GID);
    }
  }

  @Override
  public void close() {
    oidc.close();
  }
}
