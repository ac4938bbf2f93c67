package dev.cleanroom.bridge.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.bridge.backend.DataGrants;
import dev.cleanroom.bridge.datasets.CatalogDataset;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.FakeImageBuild;
import dev.cleanroom.tee.api.ApprovedInputs;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IAM bindings a job's approval makes on Confidential Space: one per dataset, for the job's image digest and that
 * dataset's object only, and lapsing at the job's latest end. The documents are checked by evaluating them as Cloud
 * Storage evaluates a policy: a request is allowed when a binding of the role has the requester among its members
 * and its condition holds for the object and the time.
 */
class WorkloadGrantsTest {
  private static final String PROVIDER =
      "projects/123456789012/locations/global/workloadIdentityPools/dcr-tee/providers/attestation-verifier";
  private static final String POOL = "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/dcr-tee";
  private static final String DIGEST = "sha256:" + "ab".repeat(32);
  private static final String OTHER_DIGEST = "sha256:" + "cd".repeat(32);
  private static final Instant NOW = Instant.parse("2026-12-07T20:10:00Z");
  private static final Instant JOB_END = NOW.plusSeconds(3600);
  // The objects of three datasets: two in one bucket, one in another.
  private static final String INSURANCE = "gs://insurer-data/insurance/real.csv";
  private static final String CLAIMS = "gs://insurer-data/claims/real.csv";
  private static final String PRIVATE = "gs://clinic-data/private/real.csv";

  @TempDir Path dir;
  private DatasetCatalog catalog;
  private final Map<String, List<WorkloadGrants.Binding>> policies = new HashMap<>();

  @BeforeEach
  void catalog() throws IOException {
    Map<String, String> data = Map.of("insurance", INSURANCE, "claims", CLAIMS, "private", PRIVATE);
    List<CatalogDataset> datasets = new ArrayList<>();
    for (String spec : BridgeFixture.datasetSpecs(dir)) {
      String name = spec.substring(0, spec.indexOf('='));
      if (data.containsKey(name)) {
        datasets.add(DatasetCatalog.open(spec.substring(0, spec.indexOf(':', spec.indexOf('=')) + 1) + data.get(name)));
      }
    }
    catalog = DatasetCatalog.of(datasets);
  }

  private WorkloadGrants grants(Optional<String> dataReader) {
    return new WorkloadGrants(catalog, new TeeDataAccess(PROVIDER, dataReader),
        bucket -> policies.getOrDefault(bucket, List.of()));
  }

  private static DataGrants.Request job(String... datasets) {
    return new DataGrants.Request("job-1", DIGEST, List.of(datasets), JOB_END);
  }

  /** The provider applies the job's documents to their buckets, as the printed commands do. */
  private void apply(Map<String, JsonObject> documents) {
    documents.forEach((bucket, document) -> document.getJsonArray("bindings").forEach(b -> {
      JsonObject binding = (JsonObject) b;
      policies.computeIfAbsent(bucket, k -> new ArrayList<>()).add(new WorkloadGrants.Binding(binding.getString("role"),
          binding.getJsonArray("members").getList(), Optional.of(binding.getJsonObject("condition").getString("expression"))));
    }));
  }

  private static final Pattern OBJECT = Pattern.compile("resource\\.name == \"([^\"]+)\"");
  private static final Pattern EXPIRY = Pattern.compile("request\\.time < timestamp\\(\"([^\"]+)\"\\)");

  /**
   * Whether the pool identity of a VM running {@code digest} may read {@code gs://} object {@code url} at {@code time}
   * under {@code policies}. Conditions are evaluated for the two clauses the grants use, joined by {@code &&}; any
   * other expression is refused here, so that a grant of another shape cannot pass unexamined.
   */
  private boolean mayRead(String digest, String url, Instant time) {
    String bucket = url.substring("gs://".length(), url.indexOf('/', "gs://".length()));
    String resource = "projects/_/buckets/" + bucket + "/objects/" + url.substring(url.indexOf('/', "gs://".length()) + 1);
    List<String> identities = List.of(POOL + "/*", POOL + "/attribute.image_digest/" + digest);
    for (WorkloadGrants.Binding binding : policies.getOrDefault(bucket, List.of())) {
      if (!binding.role().equals("roles/storage.objectViewer") || binding.members().stream().noneMatch(identities::contains)) {
        continue;
      }
      if (binding.condition().isEmpty()) {
        return true;
      }
      boolean holds = true;
      for (String clause : binding.condition().get().split(" && ")) {
        Matcher object = OBJECT.matcher(clause);
        Matcher expiry = EXPIRY.matcher(clause);
        if (object.matches()) {
          holds &= object.group(1).equals(resource);
        } else if (expiry.matches()) {
          holds &= time.isBefore(Instant.parse(expiry.group(1)));
        } else {
          throw new AssertionError("a condition clause this test cannot evaluate: " + clause);
        }
      }
      if (holds) {
        return true;
      }
    }
    return false;
  }

  @Test
  void documents_ofAJobApprovedForInsurance_letItsImageReadInsuranceOnly() throws IOException {
    apply(grants(Optional.empty()).policyDocuments(job("insurance")));

    assertTrue(mayRead(DIGEST, INSURANCE, NOW));
    assertFalse(mayRead(DIGEST, CLAIMS, NOW), "another dataset in the same bucket");
    assertFalse(mayRead(DIGEST, "gs://insurer-data/insurance/other.csv", NOW), "another object of the dataset's folder");
    assertFalse(mayRead(DIGEST, PRIVATE, NOW), "another provider's bucket");
    assertFalse(mayRead(OTHER_DIGEST, INSURANCE, NOW), "another image");
    assertFalse(mayRead(DIGEST, INSURANCE, JOB_END.plus(WorkloadGrants.MAX_OVERHANG)), "after the job's end");
  }

  /**
   * #14: the image carries the inputs its job was approved for, so the same notebook approved for insurance in one job
   * and for claims in another is two images; each job's documents grant its own image its own dataset. (Before, both
   * jobs ran one image, which the two grants together let read both datasets.)
   */
  @Test
  void documents_ofOneNotebookApprovedForTwoDatasetsInTwoJobs_grantEachImageItsOwnDatasetOnly() throws IOException {
    byte[] notebook = "{\"cells\": []}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    String forInsurance = FakeImageBuild.digestOf(notebook, approved("insurance"));
    String forClaims = FakeImageBuild.digestOf(notebook, approved("claims"));
    assertNotEquals(forInsurance, forClaims);
    apply(grants(Optional.empty()).policyDocuments(new DataGrants.Request("job-1", forInsurance, List.of("insurance"), JOB_END)));
    apply(grants(Optional.empty()).policyDocuments(new DataGrants.Request("job-2", forClaims, List.of("claims"), JOB_END)));

    assertTrue(mayRead(forInsurance, INSURANCE, NOW));
    assertFalse(mayRead(forInsurance, CLAIMS, NOW), "the insurance job's image reads claims");
    assertTrue(mayRead(forClaims, CLAIMS, NOW));
    assertFalse(mayRead(forClaims, INSURANCE, NOW), "the claims job's image reads insurance");
  }

  /** The inputs a job on {@code dataset} is approved for, as the bridge builds its image. */
  private ApprovedInputs approved(String dataset) throws IOException {
    Map<String, Sha256> inputs = new HashMap<>();
    catalog.find(dataset).orElseThrow().inputCommitments().forEach((name, commitment) -> inputs.put(name, new Sha256(commitment)));
    return ApprovedInputs.of(inputs);
  }

  @Test
  void documents_ofAJobOnTwoDatasets_grantEachOfItsObjects_andNothingElse() throws IOException {
    Map<String, JsonObject> documents = grants(Optional.empty()).policyDocuments(job("insurance", "private"));
    apply(documents);

    assertEquals(List.of("insurer-data", "clinic-data"), List.copyOf(documents.keySet()));
    assertTrue(mayRead(DIGEST, INSURANCE, NOW));
    assertTrue(mayRead(DIGEST, PRIVATE, NOW));
    assertFalse(mayRead(DIGEST, CLAIMS, NOW));
  }

  @Test
  void check_beforeTheProviderGrants_saysWhatToRunWithTheDigest() throws IOException {
    DataGrants.Status status = grants(Optional.empty()).check(job("insurance"));

    assertFalse(status.ready());
    String command = status.missing().get(0);
    assertTrue(command.startsWith("dataset 'insurance' (provider pat): gcloud storage buckets add-iam-policy-binding"
        + " gs://insurer-data --member='" + POOL + "/attribute.image_digest/" + DIGEST + "'"), command);
    assertTrue(command.contains("resource.name == \"projects/_/buckets/insurer-data/objects/insurance/real.csv\""), command);
  }

  @Test
  void check_onceTheProviderGranted_isReady() throws IOException {
    WorkloadGrants grants = grants(Optional.empty());
    apply(grants.policyDocuments(job("insurance")));

    assertEquals(List.of(), grants.check(job("insurance")).missing());
  }

  @Test
  void check_aGrantForAnotherImage_doesNotCount() throws IOException {
    WorkloadGrants grants = grants(Optional.empty());
    apply(grants.policyDocuments(new DataGrants.Request("job-0", OTHER_DIGEST, List.of("insurance"), JOB_END)));

    assertFalse(grants.check(job("insurance")).ready());
  }

  @Test
  void check_aGrantThatOutlivesTheJobByMoreThanADay_doesNotCount() throws IOException {
    WorkloadGrants grants = grants(Optional.empty());
    apply(grants.policyDocuments(new DataGrants.Request("job-1", DIGEST, List.of("insurance"), JOB_END.plusSeconds(30 * 86400))));

    assertFalse(grants.check(job("insurance")).ready());
  }

  /** The old guide's grant: the whole pool may read the whole data bucket. No job launches while it stands. */
  @Test
  void check_aBucketWideGrantToThePool_blocksTheLaunch() throws IOException {
    WorkloadGrants grants = grants(Optional.empty());
    apply(grants.policyDocuments(job("insurance")));
    policies.get("insurer-data").add(new WorkloadGrants.Binding("roles/storage.objectViewer", List.of(POOL + "/*"), Optional.empty()));

    DataGrants.Status status = grants.check(job("insurance"));

    assertEquals(1, status.missing().size(), status.missing().toString());
    assertTrue(status.missing().get(0).contains("without naming an object"), status.missing().get(0));
  }

  @Test
  void check_withADataReaderAccount_isRefused() throws IOException {
    WorkloadGrants grants = grants(Optional.of("reader@insurer.iam.gserviceaccount.com"));
    apply(grants.policyDocuments(job("insurance")));

    assertTrue(grants.check(job("insurance")).missing().get(0).startsWith(WorkloadGrants.DATA_READER_REFUSED));
  }

  @Test
  void revoke_aGrantStillInPlace_saysHowToRemoveItNow() throws IOException {
    WorkloadGrants grants = grants(Optional.empty());
    apply(grants.policyDocuments(job("insurance")));

    assertEquals(List.of("dataset 'insurance': gcloud storage buckets remove-iam-policy-binding gs://insurer-data --member='"
        + POOL + "/attribute.image_digest/" + DIGEST + "' --role=roles/storage.objectViewer --all"), grants.revoke(job("insurance")));
    policies.clear();
    assertEquals(List.of(), grants.revoke(job("insurance")));
  }
}
