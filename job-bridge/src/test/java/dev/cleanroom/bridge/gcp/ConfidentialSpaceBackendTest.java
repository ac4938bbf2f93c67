package dev.cleanroom.bridge.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import com.google.api.gax.httpjson.HttpJsonStatusCode;
import com.google.api.gax.longrunning.OperationFuture;
import com.google.api.gax.rpc.AbortedException;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.api.gax.rpc.PermissionDeniedException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.compute.v1.AccessConfig;
import com.google.cloud.compute.v1.AttachedDisk;
import com.google.cloud.compute.v1.AttachedDiskInitializeParams;
import com.google.cloud.compute.v1.ConfidentialInstanceConfig;
import com.google.cloud.compute.v1.Error;
import com.google.cloud.compute.v1.Errors;
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
import dev.cleanroom.bridge.backend.TeeBackend.LaunchRequest;
import dev.cleanroom.bridge.backend.TeeBackend.Run;
import dev.cleanroom.bridge.backend.TeeBackend.RunState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mockito.ArgumentCaptor;

/**
 * The Confidential Space backend at the Compute Engine client boundary: the exact request it sends, checked
 * against the settings of the Confidential Space deployment docs, and how it stays at one VM per job.
 */
class ConfidentialSpaceBackendTest {
  private static final String JOB = "job-k3v9x2m4q7b1c8d5";
  private static final String PROJECT = "clean-room-prod";
  private static final String ZONE = "us-central1-a";
  private static final String WORKLOAD_SA = "cs-workload@clean-room-prod.iam.gserviceaccount.com";
  private static final String DIGEST = "sha256:" + "ab".repeat(32);
  private static final String IMAGE = "us-docker.pkg.dev/clean-room-prod/cleanroom/job-42@" + DIGEST;
  private static final Map<String, String> ENVIRONMENT = Map.of(
      "DCR_JOB_ID", JOB,
      "DCR_INPUTS_URL", "https://storage.googleapis.com/b/jobs/job-k3v9x2m4q7b1c8d5/inputs?X-Goog-Signature=00&X-Goog-Expires=3600",
      "DCR_AUDIENCE", "https://bridge.example/attest");

  private InstancesClient instances;
  private OperationFuture<Operation, Operation> operation;

  @BeforeEach
  @SuppressWarnings("unchecked")
  void client() throws Exception {
    instances = mock(InstancesClient.class);
    operation = mock(OperationFuture.class);
    when(operation.get(anyLong(), any(TimeUnit.class))).thenReturn(Operation.newBuilder().setName("operation-1").build());
    when(instances.insertAsync(any(InsertInstanceRequest.class))).thenReturn(operation);
    when(instances.deleteAsync(anyString(), anyString(), anyString())).thenReturn(operation);
  }

  @Test
  void launch_sendsTheDocumentedConfidentialSpaceRequest() throws Exception {
    givenNoInstance("dcr-job-k3v9x2m4q7b1c8d5");

    Run run = backend(settings().build()).launch(request(JOB, false));

    assertEquals(new Run(JOB, "projects/clean-room-prod/zones/us-central1-a/instances/dcr-job-k3v9x2m4q7b1c8d5"), run);
    InsertInstanceRequest sent = sentInsert();
    assertEquals(PROJECT, sent.getProject());
    assertEquals(ZONE, sent.getZone());
    // Written out in full and independently of the code under test: any extra, missing or changed field fails.
    Instance expected = Instance.newBuilder()
        .setName("dcr-job-k3v9x2m4q7b1c8d5")
        .setDescription("Clean room job job-k3v9x2m4q7b1c8d5")
        .setMachineType("zones/us-central1-a/machineTypes/c3-standard-4")
        .setConfidentialInstanceConfig(ConfidentialInstanceConfig.newBuilder().setConfidentialInstanceType("TDX"))
        .setShieldedInstanceConfig(ShieldedInstanceConfig.newBuilder()
            .setEnableSecureBoot(true).setEnableVtpm(true).setEnableIntegrityMonitoring(true))
        .setScheduling(Scheduling.newBuilder()
            .setOnHostMaintenance("TERMINATE")
            .setAutomaticRestart(false)
            .setMaxRunDuration(com.google.cloud.compute.v1.Duration.newBuilder().setSeconds(3600 + 900))
            .setInstanceTerminationAction("DELETE"))
        .addDisks(AttachedDisk.newBuilder()
            .setBoot(true)
            .setAutoDelete(true)
            .setType("PERSISTENT")
            .setInitializeParams(AttachedDiskInitializeParams.newBuilder()
                .setSourceImage("projects/confidential-space-images/global/images/family/confidential-space")
                .setDiskSizeGb(30)
                .setDiskType("zones/us-central1-a/diskTypes/pd-balanced")))
        .addNetworkInterfaces(NetworkInterface.newBuilder().setNetwork("global/networks/default"))
        .addServiceAccounts(ServiceAccount.newBuilder()
            .setEmail(WORKLOAD_SA)
            .addScopes("https://www.googleapis.com/auth/cloud-platform"))
        .setMetadata(Metadata.newBuilder()
            .addItems(item("tee-image-reference", IMAGE))
            .addItems(item("tee-restart-policy", "Never"))
            .addItems(item("tee-container-log-redirect", "false"))
            .addItems(item("tee-env-DCR_AUDIENCE", "https://bridge.example/attest"))
            .addItems(item("tee-env-DCR_INPUTS_URL", ENVIRONMENT.get("DCR_INPUTS_URL")))
            .addItems(item("tee-env-DCR_JOB_ID", JOB)))
        .putLabels("dcr-job", "job-k3v9x2m4q7b1c8d5")
        .putLabels("dcr-role", "tee-job")
        .build();
    assertEquals(expected, sent.getInstanceResource());
  }

  @Test
  void launch_sev_usesAnN2dMachineAndTheSevType() throws Exception {
    givenNoInstance("dcr-job-k3v9x2m4q7b1c8d5");

    backend(settings().confidentialType(ConfidentialType.SEV).build()).launch(request(JOB, false));

    Instance sent = sentInsert().getInstanceResource();
    assertEquals("SEV", sent.getConfidentialInstanceConfig().getConfidentialInstanceType());
    assertEquals("zones/us-central1-a/machineTypes/n2d-standard-4", sent.getMachineType());
    assertEquals("TERMINATE", sent.getScheduling().getOnHostMaintenance());
  }

  @Test
  void launch_debugJobWhereAllowed_bootsTheDebugFamilyAndRedirectsLogs() throws Exception {
    givenNoInstance("dcr-job-k3v9x2m4q7b1c8d5");

    backend(settings().debugAllowed(true).build()).launch(request(JOB, true));

    Instance sent = sentInsert().getInstanceResource();
    assertEquals("projects/confidential-space-images/global/images/family/confidential-space-debug",
        sent.getDisks(0).getInitializeParams().getSourceImage());
    assertEquals("true", metadata(sent, "tee-container-log-redirect"));
  }

  @Test
  void launch_productionJobWhereDebugIsAllowed_staysOnTheProductionImage() throws Exception {
    givenNoInstance("dcr-job-k3v9x2m4q7b1c8d5");

    backend(settings().debugAllowed(true).build()).launch(request(JOB, false));

    Instance sent = sentInsert().getInstanceResource();
    assertEquals(ConfidentialSpaceSettings.PRODUCTION_FAMILY, sent.getDisks(0).getInitializeParams().getSourceImage());
    assertEquals("false", metadata(sent, "tee-container-log-redirect"));
  }

  @Test
  void launch_debugJobWhereNotAllowed_isRefusedBeforeAnyCall() {
    GcpException e = assertThrows(GcpException.class, () -> backend(settings().build()).launch(request(JOB, true)));

    assertEquals(GcpException.DEBUG_NOT_ALLOWED, e.code());
    assertTrue(e.getMessage().contains("gcp.tee.debug-allowed"), e.getMessage());
    verifyNoInteractions(instances);
  }

  @Test
  void launch_withConfiguredNetworkAndExternalIp_usesThem() throws Exception {
    givenNoInstance("dcr-job-k3v9x2m4q7b1c8d5");
    ConfidentialSpaceSettings settings = settings().subnetwork("regions/us-central1/subnetworks/tee")
        .externalIp(true).machineType("c3-standard-8").bootDiskGb(50)
        .image("projects/confidential-space-images/global/images/confidential-space-250301").build();

    backend(settings).launch(request(JOB, false));

    Instance sent = sentInsert().getInstanceResource();
    assertEquals(NetworkInterface.newBuilder().setSubnetwork("regions/us-central1/subnetworks/tee")
        .addAccessConfigs(AccessConfig.newBuilder().setName("External NAT").setType("ONE_TO_ONE_NAT")).build(),
        sent.getNetworkInterfaces(0));
    assertEquals("zones/us-central1-a/machineTypes/c3-standard-8", sent.getMachineType());
    assertEquals(50, sent.getDisks(0).getInitializeParams().getDiskSizeGb());
    assertEquals("projects/confidential-space-images/global/images/confidential-space-250301",
        sent.getDisks(0).getInitializeParams().getSourceImage());
  }

  @Test
  void launch_imageNotByDigest_isRefused() {
    for (String reference : List.of("us-docker.pkg.dev/p/r/job-42:latest", "/var/lib/dcr/images/job-42",
        "us-docker.pkg.dev/p/r/job-42@sha256:" + "cd".repeat(32))) {
      LaunchRequest request = new LaunchRequest(JOB, reference, DIGEST, Map.of(), false, Duration.ofHours(1));

      GcpException e = assertThrows(GcpException.class, () -> backend(settings().build()).launch(request), reference);

      assertEquals(GcpException.IMAGE_NOT_BY_DIGEST, e.code());
    }
    verifyNoInteractions(instances);
  }

  @Test
  void launch_environmentNameThatIsNoVariable_isRefused() {
    LaunchRequest request = new LaunchRequest(JOB, IMAGE, DIGEST, Map.of("BAD-NAME", "x"), false, Duration.ofHours(1));

    GcpException e = assertThrows(GcpException.class, () -> backend(settings().build()).launch(request));

    assertEquals(GcpException.INVALID_ENVIRONMENT, e.code());
    verifyNoInteractions(instances);
  }

  @Test
  void launch_whenTheJobsVmExists_findsItAndInsertsNothing() throws Exception {
    when(instances.get(PROJECT, ZONE, "dcr-job-k3v9x2m4q7b1c8d5")).thenReturn(existing(JOB, IMAGE, "RUNNING"));

    Run run = backend(settings().build()).launch(request(JOB, false));

    assertEquals("projects/clean-room-prod/zones/us-central1-a/instances/dcr-job-k3v9x2m4q7b1c8d5", run.where());
    verify(instances, never()).insertAsync(any(InsertInstanceRequest.class));
  }

  @Test
  void launch_twice_insertsOnce() throws Exception {
    when(instances.get(PROJECT, ZONE, "dcr-job-k3v9x2m4q7b1c8d5"))
        .thenThrow(apiException(StatusCode.Code.NOT_FOUND))
        .thenReturn(existing(JOB, IMAGE, "STAGING"));
    ConfidentialSpaceBackend backend = backend(settings().build());

    Run first = backend.launch(request(JOB, false));
    Run second = backend.launch(request(JOB, false));

    assertEquals(first, second);
    verify(instances).insertAsync(any(InsertInstanceRequest.class));
  }

  @Test
  void launch_thatLosesTheInsertRace_findsTheWinnersVm() throws Exception {
    when(instances.get(PROJECT, ZONE, "dcr-job-k3v9x2m4q7b1c8d5"))
        .thenThrow(apiException(StatusCode.Code.NOT_FOUND))
        .thenReturn(existing(JOB, IMAGE, "PROVISIONING"));
    // Compute Engine answers a duplicate name with HTTP 409, which the REST transport reports as ABORTED.
    when(instances.insertAsync(any(InsertInstanceRequest.class))).thenThrow(apiException(StatusCode.Code.ABORTED));

    Run run = backend(settings().build()).launch(request(JOB, false));

    assertEquals(JOB, run.jobId());
  }

  @Test
  void launch_whoseInsertOperationFailsAsynchronously_findsTheWinnersVm() throws Exception {
    when(instances.get(PROJECT, ZONE, "dcr-job-k3v9x2m4q7b1c8d5"))
        .thenThrow(apiException(StatusCode.Code.NOT_FOUND))
        .thenReturn(existing(JOB, IMAGE, "PROVISIONING"));
    when(operation.get(anyLong(), any(TimeUnit.class)))
        .thenThrow(new ExecutionException(apiException(StatusCode.Code.ALREADY_EXISTS)));

    assertEquals(JOB, backend(settings().build()).launch(request(JOB, false)).jobId());
  }

  @Test
  void launch_whoseOperationEndsInError_reportsGooglesReason() throws Exception {
    givenNoInstance("dcr-job-k3v9x2m4q7b1c8d5");
    when(operation.get(anyLong(), any(TimeUnit.class))).thenReturn(Operation.newBuilder()
        .setError(Error.newBuilder().addErrors(Errors.newBuilder()
            .setCode("ZONE_RESOURCE_POOL_EXHAUSTED").setMessage("c3-standard-4 is not available in us-central1-a")))
        .build());

    GcpException e = assertThrows(GcpException.class, () -> backend(settings().build()).launch(request(JOB, false)));

    assertEquals(GcpException.CALL_FAILED, e.code());
    assertTrue(e.getMessage().contains("ZONE_RESOURCE_POOL_EXHAUSTED: c3-standard-4 is not available"), e.getMessage());
  }

  @Test
  void launch_refusedByGoogle_saysWhatItTried() throws Exception {
    givenNoInstance("dcr-job-k3v9x2m4q7b1c8d5");
    when(instances.insertAsync(any(InsertInstanceRequest.class)))
        .thenThrow(apiException(StatusCode.Code.PERMISSION_DENIED));

    GcpException e = assertThrows(GcpException.class, () -> backend(settings().build()).launch(request(JOB, false)));

    assertTrue(e.getMessage().startsWith("Tried to create Confidential Space VM dcr-job-k3v9x2m4q7b1c8d5 for job job-k3v9x2m4q7b1c8d5 but failed"),
        e.getMessage());
    assertTrue(e.getCause() instanceof PermissionDeniedException);
  }

  @Test
  void launch_whoseOperationOutlastsTheTimeout_isRetryable() throws Exception {
    givenNoInstance("dcr-job-k3v9x2m4q7b1c8d5");
    when(operation.get(anyLong(), any(TimeUnit.class))).thenThrow(new TimeoutException());

    GcpException e = assertThrows(GcpException.class, () -> backend(settings().build()).launch(request(JOB, false)));

    assertEquals(GcpException.OPERATION_TIMEOUT, e.code());
    assertTrue(e.retryable());
  }

  @Test
  void launch_whenTheVmRunsAnotherImage_refusesToAdoptIt() throws Exception {
    String other = "us-docker.pkg.dev/clean-room-prod/cleanroom/job-42@sha256:" + "cd".repeat(32);
    when(instances.get(PROJECT, ZONE, "dcr-job-k3v9x2m4q7b1c8d5")).thenReturn(existing(JOB, other, "RUNNING"));

    GcpException e = assertThrows(GcpException.class, () -> backend(settings().build()).launch(request(JOB, false)));

    assertEquals(GcpException.INSTANCE_CONFLICT, e.code());
    verify(instances, never()).insertAsync(any(InsertInstanceRequest.class));
  }

  @Test
  void launch_whenTheNameBelongsToAnotherVm_refusesToAdoptIt() throws Exception {
    when(instances.get(PROJECT, ZONE, "dcr-job-k3v9x2m4q7b1c8d5")).thenReturn(existing(JOB, IMAGE, "RUNNING").toBuilder()
        .setDescription("someone's VM").build());

    GcpException e = assertThrows(GcpException.class, () -> backend(settings().build()).launch(request(JOB, false)));

    assertEquals(GcpException.INSTANCE_CONFLICT, e.code());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "PENDING, STARTING", "PROVISIONING, STARTING", "STAGING, STARTING",
      "RUNNING, RUNNING", "REPAIRING, RUNNING",
      "STOPPING, EXITED", "STOPPED, EXITED", "TERMINATED, EXITED",
      "DEPROVISIONING, LOST", "SUSPENDING, UNKNOWN", "SUSPENDED, UNKNOWN", "SOMETHING_NEW, UNKNOWN"})
  void state_followsTheInstanceStatus(String status, RunState expected) throws Exception {
    when(instances.get(PROJECT, ZONE, "dcr-job-k3v9x2m4q7b1c8d5")).thenReturn(existing(JOB, IMAGE, status));

    assertEquals(expected, backend(settings().build()).state(JOB));
  }

  @Test
  void state_runningVmWhoseResultsArrived_hasExited() throws Exception {
    when(instances.get(PROJECT, ZONE, "dcr-job-k3v9x2m4q7b1c8d5")).thenReturn(existing(JOB, IMAGE, "RUNNING"));
    ConfidentialSpaceBackend backend = new ConfidentialSpaceBackend(instances, settings().build(), JOB::equals);

    assertEquals(RunState.EXITED, backend.state(JOB));
  }

  @Test
  void state_vmGone_isLost() throws Exception {
    givenNoInstance("dcr-job-k3v9x2m4q7b1c8d5");

    assertEquals(RunState.LOST, backend(settings().build()).state(JOB));
  }

  @Test
  void stop_deletesTheJobsVm() throws Exception {
    backend(settings().build()).stop(JOB);

    verify(instances).deleteAsync(PROJECT, ZONE, "dcr-job-k3v9x2m4q7b1c8d5");
  }

  @Test
  void stop_whenTheVmIsAlreadyGone_isHarmless() throws Exception {
    when(instances.deleteAsync(PROJECT, ZONE, "dcr-job-k3v9x2m4q7b1c8d5")).thenThrow(apiException(StatusCode.Code.NOT_FOUND));
    backend(settings().build()).stop(JOB);

    when(operation.get(anyLong(), any(TimeUnit.class)))
        .thenThrow(new ExecutionException(apiException(StatusCode.Code.NOT_FOUND)));
    when(instances.deleteAsync(PROJECT, ZONE, "dcr-job-aaaaaaaaaaaaaaab")).thenReturn(operation);
    backend(settings().build()).stop("job-aaaaaaaaaaaaaaab");
  }

  @Test
  void stop_refusedByGoogle_fails() {
    when(instances.deleteAsync(PROJECT, ZONE, "dcr-job-k3v9x2m4q7b1c8d5")).thenThrow(apiException(StatusCode.Code.PERMISSION_DENIED));

    GcpException e = assertThrows(GcpException.class, () -> backend(settings().build()).stop(JOB));

    assertEquals(GcpException.CALL_FAILED, e.code());
  }

  @Test
  void settings_confidentialTypeOnTheWrongMachine_areRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> settings().confidentialType(ConfidentialType.TDX).machineType("n2d-standard-4").build());

    assertTrue(e.getMessage().contains("TDX does not run on n2d-standard-4"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> settings().confidentialType(ConfidentialType.SEV).machineType("c3-standard-4").build());
  }

  /** Confidential Space documents TDX on c3-standard-* only; other C3 shapes would fail at insert. */
  @Test
  void settings_tdxOnAC3ShapeOtherThanStandard_isRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> settings().confidentialType(ConfidentialType.TDX).machineType("c3-highcpu-4").build());
    assertThrows(IllegalArgumentException.class,
        () -> settings().confidentialType(ConfidentialType.TDX).machineType("c3d-standard-4").build());
  }

  private ConfidentialSpaceBackend backend(ConfidentialSpaceSettings settings) {
    return new ConfidentialSpaceBackend(instances, settings, ResultProbe.NONE);
  }

  private static ConfidentialSpaceSettings.Builder settings() {
    return ConfidentialSpaceSettings.builder(PROJECT, ZONE, WORKLOAD_SA);
  }

  private static LaunchRequest request(String jobId, boolean debug) {
    return new LaunchRequest(jobId, IMAGE, DIGEST, ENVIRONMENT, debug, Duration.ofHours(1));
  }

  private void givenNoInstance(String name) {
    when(instances.get(PROJECT, ZONE, name)).thenThrow(apiException(StatusCode.Code.NOT_FOUND));
  }

  private InsertInstanceRequest sentInsert() {
    ArgumentCaptor<InsertInstanceRequest> insert = ArgumentCaptor.forClass(InsertInstanceRequest.class);
    verify(instances).insertAsync(insert.capture());
    return insert.getValue();
  }

  private static Instance existing(String jobId, String image, String status) {
    return Instance.newBuilder()
        .setName(InstanceNames.forJob(jobId))
        .setDescription("Clean room job " + jobId)
        .setStatus(status)
        .setMetadata(Metadata.newBuilder().addItems(item("tee-image-reference", image)))
        .build();
  }

  private static String metadata(Instance instance, String key) {
    return instance.getMetadata().getItemsList().stream().filter(i -> i.getKey().equals(key))
        .map(Items::getValue).findFirst().orElseThrow();
  }

  private static Items item(String key, String value) {
    return Items.newBuilder().setKey(key).setValue(value).build();
  }

  private static ApiException apiException(StatusCode.Code code) {
    RuntimeException cause = new RuntimeException(code + " from the test");
    return switch (code) {
      case NOT_FOUND -> new NotFoundException(cause, HttpJsonStatusCode.of(code), false);
      case ABORTED -> new AbortedException(cause, HttpJsonStatusCode.of(code), false);
      case PERMISSION_DENIED -> new PermissionDeniedException(cause, HttpJsonStatusCode.of(code), false);
      default -> new ApiException(cause, HttpJsonStatusCode.of(code), false);
    };
  }
}
