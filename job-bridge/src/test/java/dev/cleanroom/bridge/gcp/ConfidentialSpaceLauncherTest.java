package dev.cleanroom.bridge.gcp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.verify;

import com.google.cloud.compute.v1.InsertInstanceRequest;
import com.google.cloud.compute.v1.Instance;
import com.google.cloud.compute.v1.InstancesClient;
import com.google.cloud.compute.v1.Items;
import com.google.cloud.NoCredentials;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import com.sun.net.httpserver.HttpServer;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.manifest.JobOutcome;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.attestation.simulator.SimulatorIssuer;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import dev.cleanroom.attestation.token.TeeServer;
import dev.cleanroom.bridge.backend.JobObjects;
import dev.cleanroom.bridge.backend.TeeBackend;
import dev.cleanroom.bridge.datasets.CatalogDataset;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.dp.provision.InputCommitment;
import dev.cleanroom.tee.api.ApprovedInputs;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.ArgumentCaptor;

/**
 * A job on the GCP platform from launch to result, with everything but the VM real: the job storage and the
 * provider's data bucket on fake-gcs-server with V4 signed URLs, the tee-image launcher as its own process (as in
 * the image: nothing mounted, the job plan from {@code DCR_JOB_PLAN_URL}), a simulated launcher socket, and a
 * local stand-in for Google's Security Token Service. Compute Engine is the client boundary (a Mockito
 * {@link InstancesClient}); the VM's {@code tee-env-*} metadata is the launcher's environment.
 */
class ConfidentialSpaceLauncherTest {
  @RegisterExtension
  static final FakeGcsServer SERVER = new FakeGcsServer();

  private static final String JOB = "job-k3v9x2m4q7b1c8d5";
  private static final String DIGEST = "sha256:" + "ab".repeat(32);
  private static final ArtifactRegistry REGISTRY = ArtifactRegistry.parse("us-central1-docker.pkg.dev/clean-room-prod/cleanroom");
  private static final String IDENTITY_PROVIDER =
      "projects/123456789012/locations/global/workloadIdentityPools/dcr-tee/providers/attestation-verifier";
  private static final Duration LAUNCHER_LIMIT = Duration.ofMinutes(3);

  @TempDir Path dir;
  private Storage client;
  private String dataBucket;
  private GcsStorage storage;
  private InstancesClient instances;
  private HttpServer sts;
  private TeeServer teeServer;
  private CloudStorageV4 cloudStorage;
  private final List<Map<String, String>> exchanges = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    client = SERVER.client();
    // The bridge's storage and the signed URLs it makes go through Cloud Storage's V4 check: fake-gcs-server
    // alone accepts any signature, and so would not see a header the launcher sends but the URL did not sign.
    KeyPair signingKey = ConfidentialSpacePlatformTest.signingKey();
    cloudStorage = CloudStorageV4.start(Map.of(ConfidentialSpacePlatformTest.SIGNER, signingKey.getPublic()),
        Optional.of(SERVER.endpoint()));
    storage = ConfidentialSpacePlatformTest.signingStorage(StorageOptions.http().setHost(cloudStorage.endpoint().toString())
        .setProjectId("test-project").setCredentials(NoCredentials.getInstance()).build().getService(),
        SERVER.newBucket(client), signingKey);
    dataBucket = SERVER.newBucket(client);
    instances = ConfidentialSpacePlatformTest.computeWithoutTheVm(JOB);

    // Google's Security Token Service, as far as the launcher uses it: form in, federated access token out.
    sts = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    sts.createContext("/v1/token", exchange -> {
      Map<String, String> form = new LinkedHashMap<>();
      for (String pair : new String(exchange.getRequestBody().readAllBytes(), UTF_8).split("&")) {
        String[] kv = pair.split("=", 2);
        form.put(URLDecoder.decode(kv[0], UTF_8), URLDecoder.decode(kv[1], UTF_8));
      }
      synchronized (exchanges) {
        exchanges.add(form);
      }
      byte[] answer = "{\"access_token\":\"federated\",\"token_type\":\"Bearer\",\"expires_in\":3600}".getBytes(UTF_8);
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    sts.start();
    SimulatedWorkload workload = SimulatedWorkload.of(REGISTRY.byDigest(JOB, DIGEST), DIGEST)
        .withIsolation(SimulatedWorkload.Isolation.PROCESS);
    teeServer = TeeServer.start(dir.resolve("vm/run/teeserver.sock"),
        new SimulatorIssuer(SimulatorKeys.ephemeral(), Clock.systemUTC()).forWorkload(workload));
  }

  @AfterEach
  void stop() throws IOException {
    sts.stop(0);
    teeServer.close();
    cloudStorage.close();
  }

  @Test
  void aJob_fetchesItsInputsThroughThePlan_runs_andTheBridgeReadsItsJobFolderBack() throws Exception {
    CatalogDataset insurance = datasetWithRealRowsInTheDataBucket();
    client.create(BlobInfo.newBuilder(dataBucket, "insurance/real.csv").build(),
        Files.readAllBytes(dir.resolve("provider/insurance/real.csv")));
    ConfidentialSpacePlatform platform = platform(insurance);

    Map<String, String> vmEnvironment = launch(platform, insurance.inputCommitments());
    assertEquals(0, runLauncher(vmEnvironment, approved(insurance.inputCommitments()), "var t = Dcr.dataset(\\\"insurance\\\").table();\\n"
        + "Dcr.output(\\\"rows.txt\\\").write(\\\"rows \\\" + t.rowCount() + \\\"\\\\n\\\");"), launcherLog());

    vmHasPoweredOff();
    assertEquals(TeeBackend.RunState.EXITED, platform.tee().state(JOB));
    JobManifest manifest = manifest();
    assertEquals(JobOutcome.succeeded(), manifest.outcome());
    assertEquals(insurance.inputCommitments().keySet().stream().sorted().toList(), List.copyOf(manifest.inputs().keySet()));
    assertEquals("rows 2\n", read(JobObjects.resultFile(JOB, "outputs/rows.txt")));
    assertTrue(storage.exists(JobObjects.resultFile(JOB, JobFolder.TOKEN)));
    // Every signed request the launcher made (the plan, the policy, the job folder's upload) passed Cloud Storage's check.
    assertEquals(List.of(), CloudStorageV4.refusals(cloudStorage.checked()));
    assertTrue(cloudStorage.checked().stream().anyMatch(c -> c.method().equals("PUT")), "the upload was signed");
    // The real rows were read with a token of the provider's pool, exchanged once for the VM's attestation token.
    assertEquals(1, exchanges.size());
    assertEquals("//iam.googleapis.com/" + IDENTITY_PROVIDER, exchanges.get(0).get("audience"));
    assertEquals(3, exchanges.get(0).get("subject_token").split("\\.").length, "a compact JWT");
  }

  @Test
  void realRowsThatAreNotTheProvisionedOnes_areRefused_andTheAttestedFailureComesBack() throws Exception {
    CatalogDataset insurance = datasetWithRealRowsInTheDataBucket();
    client.create(BlobInfo.newBuilder(dataBucket, "insurance/real.csv").build(),
        "age,smoker,charges\n99,yes,1.00\n".getBytes(UTF_8));
    ConfidentialSpacePlatform platform = platform(insurance);

    Map<String, String> vmEnvironment = launch(platform, insurance.inputCommitments());
    assertEquals(0, runLauncher(vmEnvironment, approved(insurance.inputCommitments()),
        "Dcr.output(\\\"ran.txt\\\").write(\\\"yes\\\");"), launcherLog());

    vmHasPoweredOff();
    assertEquals(TeeBackend.RunState.EXITED, platform.tee().state(JOB));
    JobOutcome outcome = manifest().outcome();
    assertFalse(outcome.isSuccess());
    assertTrue(outcome.reason().startsWith("input 'insurance/real.csv' has commitment "), outcome.reason());
    assertTrue(outcome.reason().endsWith("; the notebook did not run"), outcome.reason());
    assertFalse(storage.exists(JobObjects.resultFile(JOB, "outputs/ran.txt")));
  }

  /**
   * #14: the operator points an approved image at other rows (here a changed copy of the dataset, at another object)
   * and sets DCR_INPUTS to their commitment, so that the job plan and the launcher's input check agree. The launcher ran
   * the approved notebook on them; now the inputs the image carries decide, and the run is refused before any input
   * is fetched, as an attested failure that comes back.
   */
  @Test
  void anOperatorsPlanNamingOtherRows_withTheirCommitments_isRefused_beforeAnyRowIsFetched() throws Exception {
    CatalogDataset insurance = datasetWithRealRowsInTheDataBucket();
    byte[] changed = "age,smoker,charges\n99,yes,1.00\n".getBytes(UTF_8);
    client.create(BlobInfo.newBuilder(dataBucket, "insurance/changed.csv").build(), changed);
    CatalogDataset operators = datasetWithRealRowsAt("gs://" + dataBucket + "/insurance/changed.csv");
    Path key = Path.of(operators.inputLocations().get("insurance/" + InputCommitment.KEY_FILE));
    Map<String, String> operatorsInputs = new LinkedHashMap<>(insurance.inputCommitments());
    operatorsInputs.put("insurance/real.csv",
        InputCommitment.of(InputCommitment.readKey(key), Files.write(dir.resolve("changed.csv"), changed)));

    ConfidentialSpacePlatform platform = platform(operators);
    Map<String, String> vmEnvironment = launch(platform, operatorsInputs);
    assertEquals(0, runLauncher(vmEnvironment, approved(insurance.inputCommitments()),
        "Dcr.output(\\\"ran.txt\\\").write(\\\"yes\\\");"), launcherLog());

    vmHasPoweredOff();
    assertEquals(TeeBackend.RunState.EXITED, platform.tee().state(JOB));
    JobOutcome outcome = manifest().outcome();
    assertEquals(JobOutcome.failed("the job's inputs are not the ones its image was approved for; the notebook did not run"),
        outcome);
    assertFalse(storage.exists(JobObjects.resultFile(JOB, "outputs/ran.txt")));
    assertEquals(0, exchanges.size(), "no token was asked for to read rows");
  }

  private CatalogDataset datasetWithRealRowsInTheDataBucket() throws IOException {
    return datasetWithRealRowsAt("gs://" + dataBucket + "/insurance/real.csv");
  }

  private CatalogDataset datasetWithRealRowsAt(String realRows) throws IOException {
    String spec = BridgeFixture.datasetSpecs(dir).get(0);
    return DatasetCatalog.open(spec.substring(0, spec.indexOf(':', spec.indexOf('=')) + 1) + realRows);
  }

  /** The inputs an image is approved for, from commitments as the catalog gives them. */
  private static ApprovedInputs approved(Map<String, String> commitments) {
    Map<String, Sha256> inputs = new LinkedHashMap<>();
    commitments.forEach((name, commitment) -> inputs.put(name, new Sha256(commitment)));
    return ApprovedInputs.of(inputs);
  }

  /** The deployment the test's platform names in its trust file. */
  static final dev.cleanroom.bridge.backend.PlatformIdentity IDENTITY = new dev.cleanroom.bridge.backend.PlatformIdentity(
      "gcp-clean-room-prod-jobs", "clean-room-prod", "123456789012", List.of("dcr-workload@clean-room-prod.iam.gserviceaccount.com"),
      List.of("us-central1-docker.pkg.dev/clean-room-prod/cleanroom"), Optional.empty());

  private ConfidentialSpacePlatform platform(CatalogDataset dataset) {
    ConfidentialSpaceSettings settings = ConfidentialSpaceSettings.builder("clean-room-prod", "us-central1-a",
        "dcr-workload@clean-room-prod.iam.gserviceaccount.com").build();
    return new ConfidentialSpacePlatform(storage, DatasetCatalog.of(List.of(dataset)), REGISTRY,
        (notebook, inputs, reference) -> DIGEST, () -> instances, settings,
        Optional.of(new TeeDataAccess(IDENTITY_PROVIDER, Optional.empty())), IDENTITY);
  }

  /** Launches the job with these inputs ({@code DCR_INPUTS}) and returns the VM's {@code tee-env-*} variables. */
  private Map<String, String> launch(ConfidentialSpacePlatform platform, Map<String, String> commitments) throws IOException {
    StringJoiner inputs = new StringJoiner(",");
    commitments.forEach((name, commitment) -> inputs.add(name + "=" + commitment));
    Map<String, String> environment = Map.of("DCR_JOB_ID", JOB, "DCR_AUDIENCE", "https://bridge.example/attest",
        "DCR_INPUTS", inputs.toString(), "DCR_TIMEOUT_SECONDS", "600");
    platform.tee().launch(new TeeBackend.LaunchRequest(JOB, REGISTRY.byDigest(JOB, DIGEST), DIGEST, environment, false,
        Duration.ofMinutes(10)));
    ArgumentCaptor<InsertInstanceRequest> insert = ArgumentCaptor.forClass(InsertInstanceRequest.class);
    verify(instances).insertAsync(insert.capture());
    Map<String, String> vm = new LinkedHashMap<>();
    for (Items item : insert.getValue().getInstanceResource().getMetadata().getItemsList()) {
      if (item.getKey().startsWith("tee-env-")) {
        vm.put(item.getKey().substring("tee-env-".length()), item.getValue());
      }
    }
    return vm;
  }

  /**
   * The launcher as the image runs it, from an image approved for {@code approved}, but with the test's class path and
   * Google's APIs replaced by local ones.
   */
  private int runLauncher(Map<String, String> environment, ApprovedInputs approved, String code)
      throws IOException, InterruptedException {
    Path vm = dir.resolve("vm");
    Files.write(vm.resolve("inputs.json"), approved.toJson());
    Path notebook = Files.writeString(vm.resolve("notebook.ipynb"), """
        {"cells": [{"cell_type": "code", "execution_count": null, "id": "c1", "metadata": {}, "outputs": [],
          "source": ["%s"]}],
         "metadata": {"kernelspec": {"display_name": "Java (clean room)", "language": "java", "name": "dcr-java"}},
         "nbformat": 4, "nbformat_minor": 5}
        """.formatted(code));
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
        "-Ddcr.launcher.sts-url=http://127.0.0.1:" + sts.getAddress().getPort(),
        "-Ddcr.launcher.storage-url=" + SERVER.endpoint(),
        "dev.cleanroom.tee.launcher.Launcher", "--notebook", notebook.toString(), "--input", vm.resolve("input").toString(),
        "--job", vm.resolve("job").toString(), "--socket", teeServer.socket().toString(),
        "--scratch", vm.resolve("scratch").toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(vm.resolve("launcher.log").toFile());
    builder.environment().clear();
    builder.environment().putAll(environment);
    Process process = builder.start();
    if (!process.waitFor(LAUNCHER_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("the launcher did not finish within " + LAUNCHER_LIMIT + ": " + launcherLog());
    }
    return process.exitValue();
  }

  private String launcherLog() throws IOException {
    Path log = dir.resolve("vm/launcher.log");
    return Files.exists(log) ? Files.readString(log) : "(no log)";
  }

  private void vmHasPoweredOff() {
    doReturn(Instance.newBuilder().setName("dcr-" + JOB).setStatus("TERMINATED").build())
        .when(instances).get("clean-room-prod", "us-central1-a", "dcr-" + JOB);
  }

  private JobManifest manifest() throws IOException {
    try (InputStream in = storage.get(JobObjects.resultFile(JOB, JobFolder.MANIFEST))) {
      return JobManifest.fromJson(in.readAllBytes());
    }
  }

  private String read(String key) throws IOException {
    try (InputStream in = storage.get(key)) {
      return new String(in.readAllBytes(), UTF_8);
    }
  }
}
