package dev.cleanroom.tee.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Confidential Space launch policy the image carries as labels ({@code tee.launch_policy.*}): which
 * environment variables the operator may set through {@code tee-env-*} metadata, and whether the
 * container's log may leave the VM. Confidential Space refuses to start the image against it.
 *
 * <p>Invariant: only the launcher's job variables ({@link JobConfig#VARIABLES}) can be allowed, and the
 * command can never be overridden, so the operator cannot make the image run anything but its notebook.
 *
 * @param allowedEnvOverrides the variables {@code tee-env-*} may set
 * @param logRedirect whether the container's stdout/stderr may go to Cloud Logging or the serial console
 */
public record LaunchPolicy(Set<String> allowedEnvOverrides, LogRedirect logRedirect) {
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

  public LaunchPolicy {
    if (allowedEnvOverrides == null || logRedirect == null) {
      throw new IllegalArgumentException("a launch policy needs its allowed variables and its log redirect");
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
   * {@code dbgstat: enabled} and never verifies) may, with the same image and so the same digest.
   */
  public static LaunchPolicy production() {
    return new LaunchPolicy(Set.copyOf(JobConfig.VARIABLES), LogRedirect.DEBUG_ONLY);
  }

  /** The image labels, in a fixed order. */
  public Map<String, String> labels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(ALLOW_CMD_OVERRIDE, "false");
    labels.put(ALLOW_ENV_OVERRIDE, String.join(",", allowedEnvOverrides));
    labels.put(LOG_REDIRECT, logRedirect.label());
    return labels;
  }
}
