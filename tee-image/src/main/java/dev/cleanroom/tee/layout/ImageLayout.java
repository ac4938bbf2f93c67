package dev.cleanroom.tee.layout;

import java.util.List;

/**
 * Where things are inside the stage-2 image and its container: shared by the image build, the launcher
 * and the simulator, so that they agree by construction.
 *
 * <p>Invariant: nothing the operator can set changes these paths. The launcher's in-image defaults come
 * from here, and the image's launch policy allows no command override, so on Confidential Space the
 * notebook that runs is always the one the image digest names.
 */
public final class ImageLayout {
  /** The JRE (jlink). */
  public static final String JAVA_HOME = "/opt/java";
  public static final String JAVA = JAVA_HOME + "/bin/java";
  /** The launcher bundle: launcher, kernel, attestation and the notebook libraries. */
  public static final String APP = "/app";
  public static final String APP_LIB = APP + "/lib";
  /** The JVM options file of the launcher and the notebook process: class path and flags. */
  public static final String JVM_ARGS = APP + "/jvm.args";
  /** The submitted notebook, the image's last layer. */
  public static final String NOTEBOOK = APP + "/notebook.ipynb";
  /**
   * The notebook's own libraries ({@code %maven}): the jars of the lock its outputs carry, beside the notebook, in a
   * layer of their own; the notebook's kernel reads them from here in stage 2 and downloads nothing.
   */
  public static final String NOTEBOOK_LIBRARIES_FOLDER = "notebook-lib";
  public static final String NOTEBOOK_LIBRARIES = APP + "/" + NOTEBOOK_LIBRARIES_FOLDER;
  /** The inputs the image is approved to read (tee-image's {@code ApprovedInputs}), in the notebook's layer beside it. */
  public static final String APPROVED_INPUTS = APP + "/inputs.json";
  /** Inputs, mounted read-only: one folder per dataset ({@code insurance/real.csv}, {@code insurance/policy.yaml}). */
  public static final String INPUT = "/input";
  /** The job folder, the one writable mount: what the job returns (attestation's JobFolder layout). */
  public static final String JOB = "/job";
  /** Where Confidential Space mounts the launcher socket's folder. */
  public static final String LAUNCHER_SOCKET_DIR = "/run/container_launcher";
  /** Scratch space: a tmpfs of the container, gone with it. */
  public static final String TMP = "/tmp";
  /** Mount points the image carries so the runtime need not create them in a read-only root. */
  public static final List<String> MOUNT_POINTS = List.of("/dev", "/proc", "/sys", TMP, INPUT, JOB, "/run", LAUNCHER_SOCKET_DIR);
  /**
   * The user the notebook runs as (and the service images' user): nobody, owning nothing in the image. The
   * stage-2 image's launcher starts as {@link #LAUNCHER_UID} and runs the notebook's process as this user.
   */
  public static final int UID = 65534;
  public static final int GID = 65534;
  /** The stage-2 image's user, its launcher's: root, with only the capabilities its runtime grants. */
  public static final int LAUNCHER_UID = 0;
  public static final String LAUNCHER_MAIN = "dev.cleanroom.tee.launcher.Launcher";

  private ImageLayout() {}
}
