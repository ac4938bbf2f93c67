package dev.cleanroom.bridge.gcp;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the bridge's Confidential Space VMs are made: where, on what machine, as whom, on which network, from
 * which image. Built with {@link #builder}; {@link Builder#build()} refuses settings Compute Engine or
 * Confidential Space would refuse later.
 *
 * @param project the project the VMs run in
 * @param zone e.g. {@code us-central1-a}; TDX needs a zone with C3 machines
 * @param workloadServiceAccount the VM's service account; the workload identity pool trusts its tokens
 * @param network a network path ({@code global/networks/default}), used when no subnetwork is named
 * @param subnetwork a subnetwork path ({@code regions/REGION/subnetworks/NAME}), if the network has custom ones
 * @param externalIp give the VM an external IP; off by default (the subnet needs Private Google Access or
 *     Cloud NAT then, see docs/gcp.md)
 * @param bootDiskGb boot disk size; it holds the container image and whatever the workload writes
 * @param image the production boot image: the family by default, or a pinned Confidential Space release
 * @param debugImage the debug boot image, used only for jobs that ask when {@code debugAllowed}
 * @param debugAllowed whether this bridge runs debug images at all (their tokens never pass strict
 *     verification and their logs leave the TEE)
 * @param runGrace how long a VM may live beyond the job's timeout (boot, image pull, upload) before Compute
 *     Engine deletes it by itself: the backstop when the bridge is gone
 * @param operationTimeout how long a call waits for a Compute Engine insert or delete to finish
 */
public record ConfidentialSpaceSettings(
    String project, String zone, String machineType, ConfidentialType confidentialType,
    String workloadServiceAccount, String network, Optional<String> subnetwork, boolean externalIp, int bootDiskGb,
    String image, String debugImage, boolean debugAllowed, Duration runGrace, Duration operationTimeout) {

  public static final String IMAGE_PROJECT = "confidential-space-images";
  public static final String PRODUCTION_FAMILY = "projects/" + IMAGE_PROJECT + "/global/images/family/confidential-space";
  public static final String DEBUG_FAMILY = "projects/" + IMAGE_PROJECT + "/global/images/family/confidential-space-debug";

  private static final Pattern ZONE = Pattern.compile("[a-z]+-[a-z]+[0-9]+-[a-z]");
  private static final Pattern MACHINE_TYPE = Pattern.compile("[a-z0-9]+-[a-z0-9-]+");
  private static final Pattern SERVICE_ACCOUNT = Pattern.compile("[^@\\s]+@[^@\\s]+\\.iam\\.gserviceaccount\\.com"
      + "|[0-9]+-compute@developer\\.gserviceaccount\\.com");

  public ConfidentialSpaceSettings {
    Objects.requireNonNull(subnetwork);
    require(!project.isBlank(), "gcp.project is empty: name the project the VMs run in");
    require(ZONE.matcher(zone).matches(), "gcp.tee.zone '" + zone + "' is not a zone like us-central1-a");
    require(MACHINE_TYPE.matcher(machineType).matches(), "gcp.tee.machine-type '" + machineType + "' is not a machine type");
    require(confidentialType.runsOn(machineType), "Confidential type " + confidentialType + " does not run on "
        + machineType + ": use " + confidentialType.defaultMachineType() + " or another machine of its family,"
        + " or change gcp.tee.confidential-type");
    require(SERVICE_ACCOUNT.matcher(workloadServiceAccount).matches(), "gcp.tee.service-account '"
        + workloadServiceAccount + "' is not a service account email (NAME@PROJECT.iam.gserviceaccount.com)");
    require(bootDiskGb >= 10, "gcp.tee.boot-disk-gb is " + bootDiskGb + "; the Confidential Space image needs at least 10");
    require(!runGrace.isNegative(), "the run grace is negative");
    require(operationTimeout.isPositive(), "the operation timeout must be positive");
  }

  public static Builder builder(String project, String zone, String workloadServiceAccount) {
    return new Builder(project, zone, workloadServiceAccount);
  }

  /** The boot image for a run: the debug image only when asked, and only here may it be asked. */
  String bootImage(boolean debug) {
    return debug ? debugImage : image;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Defaults: TDX on {@code c3-standard-4}, the default network without external IP, a 30 GB disk, families. */
  public static final class Builder {
    private final String project;
    private final String zone;
    private final String workloadServiceAccount;
    private ConfidentialType confidentialType = ConfidentialType.TDX;
    private Optional<String> machineType = Optional.empty();
    private String network = "global/networks/default";
    private Optional<String> subnetwork = Optional.empty();
    private boolean externalIp;
    private int bootDiskGb = 30;
    private String image = PRODUCTION_FAMILY;
    private String debugImage = DEBUG_FAMILY;
    private boolean debugAllowed;
    private Duration runGrace = Duration.ofMinutes(15);
    private Duration operationTimeout = Duration.ofMinutes(5);

    private Builder(String project, String zone, String workloadServiceAccount) {
      this.project = project;
      this.zone = zone;
      this.workloadServiceAccount = workloadServiceAccount;
    }

    /** Also picks the type's default machine unless one is named. */
    public Builder confidentialType(ConfidentialType type) {
      this.confidentialType = type;
      return this;
    }

    public Builder machineType(String machineType) {
      this.machineType = Optional.of(machineType);
      return this;
    }

    public Builder network(String network) {
      this.network = network;
      return this;
    }

    public Builder subnetwork(String subnetwork) {
      this.subnetwork = Optional.of(subnetwork);
      return this;
    }

    public Builder externalIp(boolean externalIp) {
      this.externalIp = externalIp;
      return this;
    }

    public Builder bootDiskGb(int bootDiskGb) {
      this.bootDiskGb = bootDiskGb;
      return this;
    }

    public Builder image(String image) {
      this.image = image;
      return this;
    }

    public Builder debugImage(String debugImage) {
      this.debugImage = debugImage;
      return this;
    }

    public Builder debugAllowed(boolean debugAllowed) {
      this.debugAllowed = debugAllowed;
      return this;
    }

    public Builder runGrace(Duration runGrace) {
      this.runGrace = runGrace;
      return this;
    }

    public Builder operationTimeout(Duration operationTimeout) {
      this.operationTimeout = operationTimeout;
      return this;
    }

    public ConfidentialSpaceSettings build() {
      return new ConfidentialSpaceSettings(project, zone, machineType.orElse(confidentialType.defaultMachineType()),
          confidentialType, workloadServiceAccount, network, subnetwork, externalIp, bootDiskGb, image, debugImage,
          debugAllowed, runGrace, operationTimeout);
    }
  }
}
