package dev.cleanroom.tee.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.tee.api.JobConfig;
import dev.cleanroom.tee.api.LaunchPolicy;
import dev.cleanroom.tee.api.SimulationException;
import dev.cleanroom.tee.command.Command;
import dev.cleanroom.tee.image.OciLayout;
import dev.cleanroom.tee.layout.ImageLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The simulator's container: runc, as root, with what a Confidential Space workload gets and no more.
 *
 * <p>Invariant: the container has a read-only root, its own network namespace with no interface up (no
 * network at all), its own pid, ipc, uts, mount and cgroup namespaces, no new privileges, the {@link SeccompProfile},
 * the image's {@link LaunchPolicy.Sandbox} limits (tasks, memory without swap, CPU), and sees of the host only three
 * mounts: the inputs (read-only), the job folder (read-write) and the launcher socket's folder (read-only, root's
 * alone). The launcher runs as the image's root with only {@link #LAUNCHER_CAPABILITIES}; the notebook's process
 * becomes nobody, with none. Writable mounts are nosuid and nodev, the job folder noexec; {@code /tmp} is a private
 * tmpfs, executable because OpenDP's loader (as native loaders do) unpacks its library there. The container's environment names the profile's sha256 and the limits ({@link #SANDBOX_VARIABLE}), so the
 * token's {@code submods.container.env} attests them.
 */
final class RuncRunner implements ContainerRunner {
  /** Per-container scratch memory; the root file system is read-only. */
  static final String TMP_SIZE = "512m";
  static final int OPEN_FILES = 4096;
  /**
   * What the launcher (root in the image) may do beyond an ordinary user: hand the job folder to the notebook's
   * user, read and delete what that user wrote there, start the notebook's process and let it switch to that user,
   * and end every process the notebook left. Nothing else: no mounts, no raw network, no devices.
   */
  static final List<String> LAUNCHER_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_KILL", "CAP_SETGID", "CAP_SETUID");
  /** The container's variable that names its sandbox, attested in the token with the rest of its environment. */
  static final String SANDBOX_VARIABLE = "DCR_SIMULATOR_SANDBOX";
  private static final long CPU_PERIOD_MICROS = 100_000;

  private RuntimeBundle bundle;
  private Path stateDir;
  private final String id = "dcr-" + UUID.randomUUID().toString().substring(0, 12);

  @Override
  public SimulatedWorkload.Isolation isolation() {
    return SimulatedWorkload.Isolation.RUNC;
  }

  @Override
  public Container prepare(OciLayout image, Path work, JobConfig job, Path inputDir, Path jobDir, Path socketDir)
      throws SimulationException {
    LaunchPolicy.Sandbox sandbox;
    try {
      sandbox = LaunchPolicy.Sandbox.fromLabels(image.labels());
    } catch (IllegalArgumentException e) {
      throw new SimulationException("invalid_image", "Tried to run the image " + image.digest() + " but failed because: "
          + e.getMessage(), e);
    }
    bundle = RuntimeBundle.unpack(image, work.resolve("bundle"), false);
    stateDir = work.resolve("runc-state");
    Map<String, String> env = new LinkedHashMap<>(ContainerRunner.environment(bundle.environment(), job));
    env.put(SANDBOX_VARIABLE, describe(sandbox));
    ObjectNode config = bundle.config();
    ObjectNode process = (ObjectNode) config.path("process");
    process.put("terminal", false);
    ArrayNode envArray = process.putArray("env");
    env.forEach((k, v) -> envArray.add(k + "=" + v));
    ObjectNode user = process.putObject("user");
    user.put("uid", ImageLayout.LAUNCHER_UID);
    user.put("gid", ImageLayout.LAUNCHER_UID);
    ObjectNode capabilities = process.putObject("capabilities");
    for (String set : List.of("bounding", "effective", "permitted")) {
      LAUNCHER_CAPABILITIES.forEach(capabilities.putArray(set)::add);
    }
    capabilities.putArray("inheritable");
    capabilities.putArray("ambient");
    process.put("noNewPrivileges", true);
    ArrayNode rlimits = process.putArray("rlimits");
    rlimits.addObject().put("type", "RLIMIT_NOFILE").put("hard", OPEN_FILES).put("soft", OPEN_FILES);
    ((ObjectNode) config.path("root")).put("readonly", true);
    config.put("hostname", "dcr-simulator");

    ArrayNode mounts = (ArrayNode) config.path("mounts");
    // Not noexec: OpenDP's loader (as native loaders do) unpacks its library into java.io.tmpdir and maps it.
    mount(mounts, ImageLayout.TMP, "tmpfs", "tmpfs", "nosuid", "nodev", "mode=1777", "size=" + TMP_SIZE);
    mount(mounts, ImageLayout.INPUT, "bind", inputDir.toString(), "rbind", "ro", "nosuid", "nodev", "noexec");
    mount(mounts, ImageLayout.JOB, "bind", jobDir.toString(), "rbind", "rw", "nosuid", "nodev", "noexec");
    // Read-only: connecting to a socket is not a write, and nothing else may appear in the host's folder.
    mount(mounts, ImageLayout.LAUNCHER_SOCKET_DIR, "bind", socketDir.toString(), "rbind", "ro", "nosuid", "nodev", "noexec");

    ObjectNode linux = (ObjectNode) config.path("linux");
    ArrayNode namespaces = linux.putArray("namespaces");
    for (String ns : List.of("pid", "network", "ipc", "uts", "mount", "cgroup")) {
      namespaces.addObject().put("type", ns); // no path: new, empty namespaces
    }
    limit(linux, sandbox);
    linux.set("seccomp", SeccompProfile.json());
    try {
      bundle.writeConfig();
    } catch (IOException e) {
      throw new SimulationException("tool_failed", "Tried to write the container's runtime config but failed because: "
          + e.getMessage(), e);
    }
    return new Container(env, bundle.arguments());
  }

  /** The runtime spec's {@code linux.resources} for the sandbox's limits. */
  static void limit(ObjectNode linux, LaunchPolicy.Sandbox sandbox) {
    ObjectNode resources = linux.putObject("resources");
    resources.putObject("pids").put("limit", sandbox.pidsLimit());
    // Swap as large as memory: none beyond it.
    resources.putObject("memory").put("limit", sandbox.memoryBytes()).put("swap", sandbox.memoryBytes());
    resources.putObject("cpu").put("period", CPU_PERIOD_MICROS).put("quota", sandbox.cpuMillis() * CPU_PERIOD_MICROS / 1000);
  }

  /** The value of {@link #SANDBOX_VARIABLE}. */
  static String describe(LaunchPolicy.Sandbox sandbox) {
    return "seccomp=" + SeccompProfile.sha256().ociDigest() + ";pids_limit=" + sandbox.pidsLimit() + ";memory_bytes="
        + sandbox.memoryBytes() + ";cpu_millis=" + sandbox.cpuMillis() + ";launcher_uid=" + ImageLayout.LAUNCHER_UID
        + ";notebook_uid=" + ImageLayout.UID;
  }

  private static void mount(ArrayNode mounts, String destination, String type, String source, String... options) {
    for (JsonNode existing : mounts) {
      if (existing.path("destination").asText().equals(destination)) {
        throw new IllegalStateException("the image's runtime config already mounts " + destination);
      }
    }
    ObjectNode mount = mounts.addObject();
    mount.put("destination", destination);
    mount.put("type", type);
    mount.put("source", source);
    ArrayNode list = mount.putArray("options");
    for (String option : options) {
      list.add(option);
    }
  }

  @Override
  public int run(Consumer<String> log, Duration timeout) throws SimulationException {
    String runc = Command.find("runc").map(Path::toString).orElseThrow(() -> new SimulationException("tool_missing",
        "Tried to run the image with runc but failed because: runc is not installed. Install it: apt-get install runc"));
    try {
      return Command.of(runc, "--root", stateDir.toString(), "run", "--bundle", bundle.dir().toString(), id)
          .timeout(timeout).onLine(log).run().status();
    } catch (IOException e) {
      forceDelete(runc);
      throw new SimulationException("launcher_failed", "Tried to run the image with runc but failed because: "
          + e.getMessage() + ". The container was removed.", e);
    }
  }

  private void forceDelete(String runc) {
    try {
      Command.of(runc, "--root", stateDir.toString(), "delete", "--force", id).timeout(Duration.ofSeconds(30)).run();
    } catch (IOException e) {
      // nothing more to do: runc's state folder is in the run's work folder
    }
  }
}
