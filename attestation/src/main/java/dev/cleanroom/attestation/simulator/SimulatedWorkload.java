package dev.cleanroom.attestation.simulator;

import java.util.List;
import java.util.Map;

/**
 * What the simulator vouches for in {@code submods.container}: the image it really runs (its digest comes
 * from the image build, never from the workload) and how it isolates it.
 *
 * @param imageDigest the OCI manifest digest of the image, {@code sha256:<hex>}
 * @param imageId the image's config digest; empty when the runner does not know it
 * @param debug a debug run: {@code dbgstat = enabled} and no support attributes, as Google's debug image
 */
public record SimulatedWorkload(
    String imageReference,
    String imageDigest,
    String imageId,
    Map<String, String> env,
    List<String> args,
    Isolation isolation,
    boolean debug,
    String instanceName) {

  /** How the workload was kept apart from the host; the token's {@code hwmodel} says which. */
  public enum Isolation {
    /** runc with a read-only rootfs, no network and only the job's folders mounted. */
    RUNC("CLEANROOM_SIMULATED_RUNC"),
    /** A plain process on the host: no isolation at all, for machines where runc cannot run. */
    PROCESS("CLEANROOM_SIMULATED_PROCESS");

    private final String hardwareModel;

    Isolation(String hardwareModel) {
      this.hardwareModel = hardwareModel;
    }

    public String hardwareModel() {
      return hardwareModel;
    }
  }

  public SimulatedWorkload {
    if (imageDigest == null || !imageDigest.matches("sha256:[0-9a-f]{64}")) {
      throw new IllegalArgumentException("the image digest must be sha256:<64 lower-case hex digits>");
    }
    imageReference = imageReference == null ? "" : imageReference;
    imageId = imageId == null ? "" : imageId;
    env = Map.copyOf(env);
    args = List.copyOf(args);
    if (isolation == null) {
      throw new IllegalArgumentException("the isolation is needed: RUNC or PROCESS");
    }
    instanceName = instanceName == null || instanceName.isEmpty() ? "dcr-simulator" : instanceName;
  }

  /** A production-like run under runc. */
  public static SimulatedWorkload of(String imageReference, String imageDigest) {
    return new SimulatedWorkload(imageReference, imageDigest, "", Map.of(), List.of(), Isolation.RUNC, false, "dcr-simulator");
  }

  public SimulatedWorkload withIsolation(Isolation value) {
    return new SimulatedWorkload(imageReference, imageDigest, imageId, env, args, value, debug, instanceName);
  }

  public SimulatedWorkload withDebug(boolean value) {
    return new SimulatedWorkload(imageReference, imageDigest, imageId, env, args, isolation, value, instanceName);
  }

  public SimulatedWorkload withContainer(String configDigest, Map<String, String> environment, List<String> arguments) {
    return new SimulatedWorkload(imageReference, imageDigest, configDigest, environment, arguments, isolation, debug, instanceName);
  }
}
