package dev.cleanroom.bridge.gcp;

import com.google.api.gax.longrunning.OperationFuture;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.compute.v1.AccessConfig;
import com.google.cloud.compute.v1.AttachedDisk;
import com.google.cloud.compute.v1.AttachedDiskInitializeParams;
import com.google.cloud.compute.v1.ConfidentialInstanceConfig;
import com.google.cloud.compute.v1.InsertInstanceRequest;
import com.google.cloud.compute.v1.Instance;
import com.google.cloud.compute.v1.InstancesClient;
import com.google.cloud.compute.v1.Items;
import com.google.cloud.compute.v1.Metadata;
import com.google.cloud.compute.v1.NetworkInterface;
import com.google.cloud.compute.v1.Operation;
import com.google.cloud.compute.v1.Scheduling;
import com.google.cloud.compute.v1.ServiceAccount;
import com.google.cloud.compute.v1.ShieldedInstanceConfig;
import dev.cleanroom.bridge.backend.TeeBackend;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs each job in its own Confidential Space VM on Compute Engine. The VM boots Google's Confidential Space
 * image, whose launcher pulls the job's image by digest from {@code tee-image-reference}, runs it once with
 * the job's {@code tee-env-*} variables, and (production image) powers the VM off when it exits.
 *
 * <p>Invariant: a job has at most one VM. Its name comes from the job id alone ({@link InstanceNames}), launch
 * looks before it inserts, and an insert that loses a race finds the winner's VM; a VM of the same name that
 * belongs to another job or runs another image is refused, never adopted.
 *
 * <p>Every other setting follows the Confidential Space deployment docs: confidential type and matching
 * machine, Shielded VM with Secure Boot, {@code TERMINATE} on host maintenance, the workload service account
 * with the {@code cloud-platform} scope, console log redirect only on the debug image, restart policy
 * {@code Never}, no external IP unless configured. The VM also deletes itself at the job's timeout plus a
 * grace period, so a bridge that is gone cannot leave it running.
 */
public final class ConfidentialSpaceBackend implements TeeBackend, AutoCloseable {
  static final String CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
  static final String JOB_LABEL = "dcr-job";
  static final String ROLE_LABEL = "dcr-role";
  static final String IMAGE_REFERENCE = "tee-image-reference";

  private static final System.Logger LOG = System.getLogger(ConfidentialSpaceBackend.class.getName());
  private static final Pattern IMAGE_BY_DIGEST =
      Pattern.compile("[a-z0-9][a-z0-9.-]*(?::[0-9]+)?/[a-z0-9._/-]+@(sha256:[0-9a-f]{64})");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final InstancesClient instances;
  private final ConfidentialSpaceSettings settings;
  private final ResultProbe results;

  public ConfidentialSpaceBackend(InstancesClient instances, ConfidentialSpaceSettings settings, ResultProbe results) {
    this.instances = instances;
    this.settings = settings;
    this.results = results;
  }

  /** A backend on the Compute Engine API with Application Default Credentials. */
  public static ConfidentialSpaceBackend create(ConfidentialSpaceSettings settings, ResultProbe results)
      throws IOException {
    return new ConfidentialSpaceBackend(InstancesClient.create(), settings, results);
  }

  @Override
  public Run launch(LaunchRequest request) throws IOException {
    Instance wanted = instanceFor(request);
    Optional<Instance> existing = find(wanted.getName());
    if (existing.isPresent()) {
      return adopt(existing.get(), wanted, request.jobId());
    }
    InsertInstanceRequest insert = InsertInstanceRequest.newBuilder()
        .setProject(settings.project())
        .setZone(settings.zone())
        .setInstanceResource(wanted)
        .build();
    String action = "create Confidential Space VM " + wanted.getName() + " for job " + request.jobId();
    try {
      Operation done = await(instances.insertAsync(insert), action);
      if (done.hasError()) {
        return adoptAfterFailure(wanted, request.jobId(), GcpException.refused(GcpException.CALL_FAILED,
            "Tried to " + action + " but failed because: " + describe(done)));
      }
    } catch (ApiException e) {
      return adoptAfterFailure(wanted, request.jobId(), GcpException.callFailed(action, e));
    }
    LOG.log(System.Logger.Level.INFO, "Created Confidential Space VM {0} ({1} on {2}, {3}) for job {4}",
        wanted.getName(), settings.confidentialType(), settings.machineType(),
        settings.bootImage(request.debug()), request.jobId());
    return new Run(request.jobId(), path(wanted.getName()));
  }

  @Override
  public RunState state(String jobId) throws IOException {
    Optional<Instance> instance = find(InstanceNames.forJob(jobId));
    if (instance.isEmpty()) {
      return RunState.LOST;
    }
    Instance.Status status;
    try {
      status = Instance.Status.valueOf(instance.get().getStatus());
    } catch (IllegalArgumentException e) {
      return RunState.UNKNOWN;
    }
    return switch (status) {
      case PENDING, PROVISIONING, STAGING -> RunState.STARTING;
      // The debug image keeps the VM up after the workload exits: the results tell that it is done.
      case RUNNING, REPAIRING -> results.resultsPresent(jobId) ? RunState.EXITED : RunState.RUNNING;
      // The production image powers the VM off once the workload has exited (restart policy Never).
      case STOPPING, STOPPED, TERMINATED -> RunState.EXITED;
      case DEPROVISIONING -> RunState.LOST;
      default -> RunState.UNKNOWN;
    };
  }

  @Override
  public void stop(String jobId) throws IOException {
    String name = InstanceNames.forJob(jobId);
    String action = "delete Confidential Space VM " + name + " of job " + jobId;
    try {
      Operation done = await(instances.deleteAsync(settings.project(), settings.zone(), name), action);
      if (done.hasError()) {
        throw GcpException.refused(GcpException.CALL_FAILED, "Tried to " + action + " but failed because: " + describe(done));
      }
      LOG.log(System.Logger.Level.INFO, "Deleted Confidential Space VM {0} of job {1}", name, jobId);
    } catch (NotFoundException e) {
      // Already gone: stop is harmless to repeat.
    } catch (ApiException e) {
      throw GcpException.callFailed(action, e);
    }
  }

  @Override
  public void close() {
    instances.close();
  }

  /** The VM for a job, exactly as it is asked of Compute Engine; refuses what Confidential Space would not run. */
  Instance instanceFor(LaunchRequest request) throws GcpException {
    if (request.debug() && !settings.debugAllowed()) {
      throw GcpException.refused(GcpException.DEBUG_NOT_ALLOWED, "Job " + request.jobId() + " asks for the debug"
          + " image, which this bridge does not run; set gcp.tee.debug-allowed=true to allow it (debug runs can never"
          + " pass strict verification)");
    }
    var byDigest = IMAGE_BY_DIGEST.matcher(request.imageReference());
    if (!byDigest.matches() || !byDigest.group(1).equals(request.imageDigest())) {
      throw GcpException.refused(GcpException.IMAGE_NOT_BY_DIGEST, "Image '" + request.imageReference()
          + "' is not a registry image by its digest " + request.imageDigest() + ": Confidential Space pulls"
          + " REGISTRY/REPOSITORY@sha256:...; push the job's image to Artifact Registry first (gcp.registry)");
    }
    if (request.timeout() == null || !request.timeout().isPositive()) {
      throw new IllegalArgumentException("Job " + request.jobId() + " has no positive timeout: " + request.timeout());
    }
    String name = InstanceNames.forJob(request.jobId());
    String zone = "zones/" + settings.zone();

    NetworkInterface.Builder network = NetworkInterface.newBuilder();
    settings.subnetwork().ifPresentOrElse(network::setSubnetwork, () -> network.setNetwork(settings.network()));
    if (settings.externalIp()) {
      network.addAccessConfigs(AccessConfig.newBuilder().setName("External NAT").setType("ONE_TO_ONE_NAT"));
    }

    return Instance.newBuilder()
        .setName(name)
        .setDescription(description(request.jobId()))
        .setMachineType(zone + "/machineTypes/" + settings.machineType())
        .setConfidentialInstanceConfig(ConfidentialInstanceConfig.newBuilder()
            .setConfidentialInstanceType(settings.confidentialType().name()))
        .setShieldedInstanceConfig(ShieldedInstanceConfig.newBuilder()
            .setEnableSecureBoot(true)
            .setEnableVtpm(true)
            .setEnableIntegrityMonitoring(true))
        .setScheduling(Scheduling.newBuilder()
            .setOnHostMaintenance("TERMINATE")
            // A job runs once: after a host failure the reconciler decides, not an automatic reboot.
            .setAutomaticRestart(false)
            .setMaxRunDuration(com.google.cloud.compute.v1.Duration.newBuilder()
                .setSeconds(request.timeout().plus(settings.runGrace()).toSeconds()))
            .setInstanceTerminationAction("DELETE"))
        .addDisks(AttachedDisk.newBuilder()
            .setBoot(true)
            .setAutoDelete(true)
            .setType("PERSISTENT")
            .setInitializeParams(AttachedDiskInitializeParams.newBuilder()
                .setSourceImage(settings.bootImage(request.debug()))
                .setDiskSizeGb(settings.bootDiskGb())
                // C3 machines have no pd-standard; pd-balanced is on every family Confidential Space runs on.
                .setDiskType(zone + "/diskTypes/pd-balanced")))
        .addNetworkInterfaces(network)
        .addServiceAccounts(ServiceAccount.newBuilder()
            .setEmail(settings.workloadServiceAccount())
            .addScopes(CLOUD_PLATFORM_SCOPE))
        .setMetadata(metadata(request))
        .putLabels(JOB_LABEL, InstanceNames.label(request.jobId()))
        .putLabels(ROLE_LABEL, "tee-job")
        .build();
  }

  private static Metadata metadata(LaunchRequest request) throws GcpException {
    Metadata.Builder metadata = Metadata.newBuilder()
        .addItems(item(IMAGE_REFERENCE, request.imageReference()))
        .addItems(item("tee-restart-policy", "Never"))
        // Anything the workload prints on real data is an output: it leaves the TEE only on the debug image.
        .addItems(item("tee-container-log-redirect", request.debug() ? "true" : "false"));
    for (Map.Entry<String, String> variable : new TreeMap<>(request.environment()).entrySet()) {
      if (!ENV_NAME.matcher(variable.getKey()).matches()) {
        throw GcpException.refused(GcpException.INVALID_ENVIRONMENT, "'" + variable.getKey() + "' of job " + request.jobId()
            + " is not an environment variable name (letters, digits, _)");
      }
      metadata.addItems(item("tee-env-" + variable.getKey(), variable.getValue()));
    }
    return metadata.build();
  }

  private static Items item(String key, String value) {
    return Items.newBuilder().setKey(key).setValue(value).build();
  }

  private static String description(String jobId) {
    return "Clean room job " + jobId;
  }

  private Run adopt(Instance existing, Instance wanted, String jobId) throws GcpException {
    if (!existing.getDescription().equals(wanted.getDescription())) {
      throw GcpException.refused(GcpException.INSTANCE_CONFLICT, "VM " + wanted.getName() + " exists but is not"
          + " job " + jobId + "'s (its description is '" + existing.getDescription() + "'); delete or rename it");
    }
    String running = imageReference(existing).orElse("no image");
    String asked = imageReference(wanted).orElseThrow();
    if (!running.equals(asked)) {
      throw GcpException.refused(GcpException.INSTANCE_CONFLICT, "VM " + wanted.getName() + " of job " + jobId
          + " runs " + running + ", not " + asked + "; stop the job's run before launching it again");
    }
    return new Run(jobId, path(wanted.getName()));
  }

  /** After a failed insert: another launch of the same job may have won the race, so the VM may exist. */
  private Run adoptAfterFailure(Instance wanted, String jobId, GcpException failure) throws IOException {
    Optional<Instance> existing;
    try {
      existing = find(wanted.getName());
    } catch (IOException e) {
      failure.addSuppressed(e);
      throw failure;
    }
    if (existing.isEmpty()) {
      throw failure;
    }
    return adopt(existing.get(), wanted, jobId);
  }

  private Optional<Instance> find(String name) throws GcpException {
    try {
      return Optional.of(instances.get(settings.project(), settings.zone(), name));
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (ApiException e) {
      throw GcpException.callFailed("look up VM " + name, e);
    }
  }

  /** Waits for a zonal operation; API errors come out as the {@link ApiException} the client raised. */
  private Operation await(OperationFuture<Operation, Operation> operation, String action) throws IOException {
    try {
      return operation.get(settings.operationTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ApiException api) {
        throw api;
      }
      throw new GcpException(GcpException.CALL_FAILED, "Tried to " + action + " but failed because: "
          + e.getCause(), false, e.getCause());
    } catch (TimeoutException e) {
      throw new GcpException(GcpException.OPERATION_TIMEOUT, "Tried to " + action + " but it did not finish within "
          + settings.operationTimeout() + "; it may still finish, and the next attempt finds its result", true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to " + action);
    }
  }

  private static Optional<String> imageReference(Instance instance) {
    return instance.getMetadata().getItemsList().stream()
        .filter(item -> item.getKey().equals(IMAGE_REFERENCE))
        .map(Items::getValue)
        .findFirst();
  }

  private static String describe(Operation operation) {
    return operation.getError().getErrorsList().stream()
        .map(error -> error.getCode() + ": " + error.getMessage())
        .collect(Collectors.joining("; "));
  }

  private String path(String name) {
    return "projects/" + settings.project() + "/zones/" + settings.zone() + "/instances/" + name;
  }
}
