package dev.cleanroom.tee.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Confidential Space launch policy the image carries as labels ({@code tee.launch_policy.*}): which
 * environment variables the operator may set through {@code tee-env-*} metadata, and whether the
 * container's log may leave the VM. Confidential Space refuses to start the image against it.
 *
 * The labels also carry the {@link Sandbox} limits the simulator's runtime applies to the container.
 *
 * <p>Invariant: only the launcher's job variables ({@link JobConfig#VARIABLES}) can be allowed, and the
 * command can never be overridden, so the operator cannot make the image run anything but its notebook.
 *
 * @param allowedEnvOverrides the variables {@code tee-env-*} may set
 * @param logRedirect whether the container's stdout/stderr may go to Cloud Logging or the serial console
 * @param sandbox the container's limits: part of the image, so of its digest
 */
public record LaunchPolicy(Set<String> allowedEnvOverrides, LogRedirect logRedirect, Sandbox sandbox) {
  public static final String ALLOW_ENV_OVERRIDE = "tee.launch_policy.allow_env_override";
  public static final String ALLOW_CMD_OVERRIDE = "tee.launch_policy.allow_cmd_override";
  public static final String LOG_REDIRECT = "tee.launch_policy.log_redirect";

  /** Values of {@code tee.launch_policy.log_redirect}. */
  public enum LogRedirect {
    /** Never: the launcher's log stays in the VM (production: the notebook's logs are outputs behind the airlock). */
    NEVER("never"),
    /** Only on the debug image, which attests {@code dbgstat: enabled} and so never verifies as production. */
    DEBUG_ONLY("debugonly"),
    ALWAYS("always");

    private final String label;

    LogRedirect(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * The container's limits: tasks (processes and threads alike, so a fork bomb stops at them), memory (no swap)
   * and CPU time. The runc simulator applies them to the whole container, launcher and notebook; Confidential Space
   * gives the job a VM of its own, whose size the platform's machine type sets.
   *
   * @param pidsLimit the most tasks at once; two JVMs need about 60
   * @param memoryBytes the most memory, the page cache the job causes included
   * @param cpuMillis CPU time in thousandths of a CPU (2000: two CPUs' worth)
   */
  public record Sandbox(long pidsLimit, long memoryBytes, long cpuMillis) {
    public static final String PIDS_LIMIT = "dev.cleanroom.sandbox.pids_limit";
    public static final String MEMORY_BYTES = "dev.cleanroom.sandbox.memory_bytes";
    public static final String CPU_MILLIS = "dev.cleanroom.sandbox.cpu_millis";

    public Sandbox {
      if (pidsLimit < 128 || memoryBytes < (512L << 20) || cpuMillis < 100) {
        throw new IllegalArgumentException("the sandbox needs at least 128 tasks, 512 MiB and 100 thousandths of a CPU"
            + " to run the launcher's and the notebook's JVMs; got " + pidsLimit + ", " + memoryBytes + " bytes, " + cpuMillis);
      }
    }

    /** 512 tasks, 2 GiB, two CPUs: the tutorials need a fraction of it. */
    public static Sandbox standard() {
      return new Sandbox(512, 2L << 30, 2000);
    }

    /** The limits an image's labels carry. */
    public static Sandbox fromLabels(Map<String, String> labels) {
      try {
        return new Sandbox(Long.parseLong(labels.get(PIDS_LIMIT)), Long.parseLong(labels.get(MEMORY_BYTES)),
            Long.parseLong(labels.get(CPU_MILLIS)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("the image's labels carry no valid sandbox limits (" + PIDS_LIMIT + ", "
            + MEMORY_BYTES + ", " + CPU_MILLIS + "); rebuild it with this version", e);
      }
    }

    Map<String, String> labels() {
      return Map.of(PIDS_LIMIT, Long.toString(pidsLimit), MEMORY_BYTES, Long.toString(memoryBytes), CPU_MILLIS,
          Long.toString(cpuMillis));
    }
  }

  public LaunchPolicy {
    if (allowedEnvOverrides == null || logRedirect == null || sandbox == null) {
      throw new IllegalArgumentException("a launch policy needs its allowed variables, its log redirect and its sandbox");
    }
    for (String name : allowedEnvOverrides) {
      if (!JobConfig.VARIABLES.contains(name)) {
        throw new IllegalArgumentException("'" + name + "' is not a job variable of the launcher; allow only "
            + String.join(", ", JobConfig.VARIABLES));
      }
    }
    allowedEnvOverrides = Collections.unmodifiableSet(new TreeSet<>(allowedEnvOverrides));
  }

  /**
   * Every job's image: the job variables may be set, and the log leaves the VM only on the debug boot image. Google's
   * launcher refuses {@code tee-container-log-redirect} on the production (hardened) image against this label, so a
   * run whose token could pass verification never sends its log out; a debug run (whose token says
   * {@code dbgstat: enabled} and never verifies) may, with the same image and so the same digest. The standard
   * sandbox.
   */
  public static LaunchPolicy production() {
    return new LaunchPolicy(Set.copyOf(JobConfig.VARIABLES), LogRedirect.DEBUG_ONLY, Sandbox.standard());
  }

  /** The image labels, in a fixed order. */
  public Map<String, String> labels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(ALLOW_CMD_OVERRIDE, "false");
    labels.put(ALLOW_ENV_OVERRIDE, String.join(",", allowedEnvOverrides));
    labels.put(LOG_REDIRECT, logRedirect.label());
    new TreeMap<>(sandbox.labels()).forEach(labels::put);
    return labels;
  }
}
