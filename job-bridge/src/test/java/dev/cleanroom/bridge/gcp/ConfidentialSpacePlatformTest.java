package dev.cleanroom.bridge.gcp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import com.google.api.gax.httpjson.HttpJsonStatusCode;
import com.google.api.gax.longrunning.OperationFuture;
import com.google.api.gax.rpc.ApiExceptionFactory;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.compute.v1.InsertInstanceRequest;
import com.google.cloud.compute.v1.Instance;
import com.google.cloud.compute.v1.InstancesClient;
import com.google.cloud.compute.v1.Items;
import com.google.cloud.compute.v1.Operation;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.bridge.backend.BuiltImage;
import dev.cleanroom.bridge.backend.JobObjects;
import dev.cleanroom.bridge.backend.TeeBackend;
import dev.cleanroom.bridge.datasets.CatalogDataset;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.tee.api.ApprovedInputs;
import com.google.auth.oauth2.ServiceAccountCredentials;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.ArgumentCaptor;

/**
 * The GCP platform with its storage on fake-gcs-server and Compute Engine at the client boundary (a Mockito
 * {@link InstancesClient}): what a launch stages in the bucket and what it asks of Compute Engine.
 */
class ConfidentialSpacePlatformTest {
  @RegisterExtension
  static final FakeGcsServer SERVER = new FakeGcsServer();

  private static final String JOB = "job-k3v9x2m4q7b1c8d5";
  private static final String DIGEST = "sha256:" + "ab".repeat(32);
  private static final String REAL_ROWS = "gs://insurer-data-cleanroom/insurance/real.csv";
  private static final String IDENTITY_PROVIDER =
      "projects/123456789012/locations/global/workloadIdentityPools/dcr-tee/providers/attestation-verifier";
  private static final ArtifactRegistry REGISTRY = ArtifactRegistry.parse("us-central1-docker.pkg.dev/clean-room-prod/cleanroom");

  @TempDir Path dir;
  private Storage client;
  private String bucket;
  private GcsStorage storage;
  private InstancesClient instances;
  private final List<String> pushed = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    client = SERVER.client();
    bucket = SERVER.newBucket(client);
    storage = signingStorage(client, bucket);
    instances = computeWithoutTheVm(JOB);
  }

  static final String SIGNER = "bridge-signer@test-project.iam.gserviceaccount.com";

  /** The job storage under {@code prod/} of {@code bucket}, signing URLs with a key of its own. */
  static GcsStorage signingStorage(Storage client, String bucket) throws Exception {
    return signingStorage(client, bucket, signingKey());
  }

  /** The job storage under {@code prod/} of {@code bucket}, signing URLs as {@link #SIGNER} with {@code key}. */
  static GcsStorage signingStorage(Storage client, String bucket, KeyPair key) {
    return new GcsStorage(client, new GcsLocation(bucket, "prod/"), Optional.of(ServiceAccountCredentials.newBuilder()
        .setClientEmail(SIGNER).setPrivateKey(key.getPrivate()).setProjectId("test-project").build()));
  }

  static KeyPair signingKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  /** Compute Engine, where the job's VM does not exist yet and inserting it succeeds. */
  @SuppressWarnings("unchecked")
  static InstancesClient computeWithoutTheVm(String jobId) throws Exception {
    InstancesClient instances = mock(InstancesClient.class);
    OperationFuture<Operation, Operation> operation = mock(OperationFuture.class);
    when(operation.get(anyLong(), any(TimeUnit.class))).thenReturn(Operation.newBuilder().setName("operation-1").build());
    when(instances.insertAsync(any(InsertInstanceRequest.class))).thenReturn(operation);
    when(instances.get("clean-room-prod", "us-central1-a", "dcr-" + jobId)).thenThrow(ApiExceptionFactory.createException(
        new RuntimeException("not found"), HttpJsonStatusCode.of(StatusCode.Code.NOT_FOUND), false));
    return instances;
  }

  @Test
  void launch_stagesTheInputsTheBridgeHolds_andAsksForTheVmWithTheJobsVariables() throws Exception {
    CatalogDataset insurance = dataset(REAL_ROWS);
    ConfidentialSpacePlatform platform = platform(insurance);
    Map<String, String> environment = environment(insurance);

    TeeBackend.Run run = platform.tee().launch(new TeeBackend.LaunchRequest(JOB, REGISTRY.byDigest(JOB, DIGEST), DIGEST,
        environment, false, Duration.ofHours(1)));

    assertEquals("projects/clean-room-prod/zones/us-central1-a/instances/dcr-" + JOB, run.where());
    ArgumentCaptor<InsertInstanceRequest> insert = ArgumentCaptor.forClass(InsertInstanceRequest.class);
    org.mockito.Mockito.verify(instances).insertAsync(insert.capture());
    Instance vm = insert.getValue().getInstanceResource();
    assertEquals("us-central1-docker.pkg.dev/clean-room-prod/cleanroom/" + JOB + "@" + DIGEST, metadata(vm, "tee-image-reference"));
    assertEquals(environment.get("DCR_INPUTS"), metadata(vm, "tee-env-DCR_INPUTS"));
    assertEquals(JOB, metadata(vm, "tee-env-DCR_JOB_ID"));
    // The policy file is copied byte for byte; the real rows stay where the provider keeps them.
    assertArrayEquals(Files.readAllBytes(insurance.policyFile()),
        client.readAllBytes(BlobId.of(bucket, "prod/jobs/" + JOB + "/inputs/insurance/policy.yaml")));
    // The VM gets the plan through a signed URL, and everything in it too: it has no role on the job bucket.
    JsonObject plan = new JsonObject(new String(get(URI.create(metadata(vm, "tee-env-DCR_JOB_PLAN_URL"))), UTF_8));
    JsonObject inputs = plan.getJsonObject("inputs");
    assertEquals(List.of("insurance/commitment.key", "insurance/policy.yaml", "insurance/real.csv"),
        inputs.fieldNames().stream().sorted().toList());
    Map<String, String> hashes = insurance.inputCommitments();
    assertEquals(new JsonObject().put("url", REAL_ROWS).put("identityProvider", "//iam.googleapis.com/" + IDENTITY_PROVIDER)
        .put("sha256", hashes.get("insurance/real.csv")), inputs.getJsonObject("insurance/real.csv"));
    assertEquals(hashes.get("insurance/policy.yaml"), inputs.getJsonObject("insurance/policy.yaml").getString("sha256"));
    assertArrayEquals(Files.readAllBytes(insurance.policyFile()),
        get(URI.create(inputs.getJsonObject("insurance/policy.yaml").getString("url"))));
    // The job folder comes back as one object, through a signed PUT URL of just that object.
    HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(plan.getJsonObject("result").getString("url"))).PUT(HttpRequest.BodyPublishers.ofString("zip")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, put.statusCode(), put.body());
    assertArrayEquals("zip".getBytes(UTF_8), client.readAllBytes(BlobId.of(bucket, "prod/jobs/" + JOB + "/result.zip")));
  }

  @Test
  void launch_withRealRowsInCloudStorageButNoIdentityProvider_isRefusedBeforeAnyVmIsAsked() throws Exception {
    CatalogDataset insurance = dataset(REAL_ROWS);
    ConfidentialSpacePlatform platform = platform(insurance, Optional.empty());

    IOException e = assertThrows(IOException.class, () -> platform.tee().launch(new TeeBackend.LaunchRequest(JOB,
        REGISTRY.byDigest(JOB, DIGEST), DIGEST, environment(insurance), false, Duration.ofHours(1))));

    assertTrue(e.getMessage().contains("gcp.tee.identity-provider"), e.getMessage());
    verifyNoInteractions(instances);
  }

  private static byte[] get(URI url) throws Exception {
    HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, response.statusCode());
    return response.body();
  }

  @Test
  void launch_withRealRowsOnTheBridgesDisk_isRefusedBeforeAnyVmIsAsked() throws Exception {
    CatalogDataset local = dataset(null);
    ConfidentialSpacePlatform platform = platform(local);

    IOException e = assertThrows(IOException.class, () -> platform.tee().launch(new TeeBackend.LaunchRequest(JOB,
        REGISTRY.byDigest(JOB, DIGEST), DIGEST, environment(local), false, Duration.ofHours(1))));

    assertTrue(e.getMessage().contains("gs://BUCKET/real.csv"), e.getMessage());
    verifyNoInteractions(instances);
  }

  @Test
  void state_ofARunningDebugVm_isExitedOnceTheJobFolderIsInTheBucket_whichIsThenUnpacked() throws Exception {
    ConfidentialSpacePlatform platform = platform(dataset(REAL_ROWS));
    org.mockito.Mockito.doReturn(Instance.newBuilder().setName("dcr-" + JOB).setStatus("RUNNING").build())
        .when(instances).get("clean-room-prod", "us-central1-a", "dcr-" + JOB);
    assertEquals(TeeBackend.RunState.RUNNING, platform.tee().state(JOB));

    byte[] zip = JobFolderArchiveTest.zip(Map.of("manifest.json", "{}", "outputs/a.txt", "a", JobFolder.TOKEN, "x.y.z"));
    storage.put(JobObjects.resultArchive(JOB), new ByteArrayInputStream(zip), zip.length);

    assertEquals(TeeBackend.RunState.EXITED, platform.tee().state(JOB));
    assertEquals(List.of("jobs/" + JOB + "/result/manifest.json", "jobs/" + JOB + "/result/outputs/a.txt",
        "jobs/" + JOB + "/result/token.jwt"), storage.list(JobObjects.result(JOB)));
  }

  @Test
  void images_arePushedUnderTheJobsName_approvedForItsInputs_andRunByDigest() throws Exception {
    ConfidentialSpacePlatform platform = platform(dataset(REAL_ROWS));
    ApprovedInputs inputs = ApprovedInputs.parseList("insurance/real.csv=" + "1a".repeat(32), "the job's inputs");

    BuiltImage image = platform.images().build(JOB, Files.writeString(dir.resolve("n.ipynb"), "{}"), inputs);

    assertEquals(List.of("us-central1-docker.pkg.dev/clean-room-prod/cleanroom/" + JOB + " approved for " + inputs.toList()),
        pushed);
    assertEquals(new BuiltImage("us-central1-docker.pkg.dev/clean-room-prod/cleanroom/" + JOB + "@" + DIGEST, DIGEST), image);
  }

  @Test
  void theIssuer_isConfidentialSpaces_andRunsAreNotSimulated() throws Exception {
    ConfidentialSpacePlatform platform = platform(dataset(REAL_ROWS));

    assertEquals(URI.create("https://confidentialcomputing.googleapis.com/.well-known/openid-configuration"),
        platform.issuerDiscovery());
    assertFalse(platform.simulated());
  }

  private ConfidentialSpacePlatform platform(CatalogDataset dataset) {
    return platform(dataset, Optional.of(new TeeDataAccess(IDENTITY_PROVIDER, Optional.empty())));
  }

  private ConfidentialSpacePlatform platform(CatalogDataset dataset, Optional<TeeDataAccess> dataAccess) {
    ConfidentialSpaceSettings settings = ConfidentialSpaceSettings.builder("clean-room-prod", "us-central1-a",
        "dcr-workload@clean-room-prod.iam.gserviceaccount.com").build();
    // The registry push stands in for Jib's (tee-image's ImageBuilderIT pushes to a real registry).
    return new ConfidentialSpacePlatform(storage, DatasetCatalog.of(List.of(dataset)), REGISTRY, (notebook, inputs, reference) -> {
      pushed.add(reference + " approved for " + inputs.toList());
      return DIGEST;
    }, () -> instances, settings, dataAccess, ConfidentialSpaceLauncherTest.IDENTITY);
  }

  /** The provisioned insurance dataset, its real rows at {@code realRows} (null: on the bridge's disk). */
  private CatalogDataset dataset(String realRows) throws IOException {
    String spec = BridgeFixture.datasetSpecs(dir).get(0);
    return DatasetCatalog.open(realRows == null ? spec : spec.substring(0, spec.indexOf(':', spec.indexOf('=')) + 1) + realRows);
  }

  private static Map<String, String> environment(CatalogDataset dataset) throws IOException {
    StringJoiner inputs = new StringJoiner(",");
    dataset.inputCommitments().forEach((name, commitment) -> inputs.add(name + "=" + commitment));
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("DCR_JOB_ID", JOB);
    environment.put("DCR_AUDIENCE", "https://bridge.example/attest");
    environment.put("DCR_INPUTS", inputs.toString());
    environment.put("DCR_TIMEOUT_SECONDS", "3600");
    return environment;
  }

  private static String metadata(Instance vm, String key) {
    return vm.getMetadata().getItemsList().stream().filter(i -> i.getKey().equals(key)).map(Items::getValue)
        .findFirst().orElseThrow();
  }
}
