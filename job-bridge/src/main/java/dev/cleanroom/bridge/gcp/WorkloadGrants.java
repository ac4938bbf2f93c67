package dev.cleanroom.bridge.gcp;

import dev.cleanroom.bridge.backend.DataGrants;
import dev.cleanroom.bridge.datasets.CatalogDataset;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-dataset, per-image data access on Confidential Space. The provider's pool maps each token's image digest to
 * {@code attribute.image_digest} and its attribute condition names no digest (docs/gcp.md, step 10): approving a
 * job is then one IAM binding per dataset, on that dataset's bucket, that lets exactly the job's image digest read
 * exactly that dataset's objects, until the job's latest end:
 *
 * <pre>
 *   role      roles/storage.objectViewer
 *   member    principalSet://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/POOL/attribute.image_digest/sha256:…
 *   condition resource.name == "projects/_/buckets/BUCKET/objects/OBJECT" &amp;&amp; request.time &lt; timestamp("…Z")
 * </pre>
 *
 * A notebook approved for dataset A therefore gets no access to B's objects, whatever the operator writes into its
 * inputs or its job plan; two approvals never edit one shared condition; a grant lapses by itself. The provider
 * makes the binding (the bridge never holds the right to); the bridge reads the buckets' IAM policies to see that
 * it is there, and refuses to launch while any binding lets the pool's identities read a dataset's bucket without
 * naming an object.
 *
 * <p>Invariant: every binding this class prescribes names one image digest, one object and an expiry.
 */
final class WorkloadGrants implements DataGrants {
  static final String ROLE = "roles/storage.objectViewer";
  /** A grant may outlast the job's latest end by at most this (the provider's command rounds up to the hour). */
  static final Duration MAX_OVERHANG = Duration.ofDays(1);
  private static final Pattern CONDITION = Pattern.compile(
      "resource\\.name == \"projects/_/buckets/([^\"/]+)/objects/([^\"]+)\" && request\\.time < timestamp\\(\"([^\"]+)\"\\)");

  /** A binding of a bucket's IAM policy: a role, its members, and the expression of its condition if it has one. */
  record Binding(String role, List<String> members, Optional<String> condition) {
    Binding {
      members = List.copyOf(members);
    }
  }

  /** Reads a bucket's IAM policy (version 3, with conditions). */
  @FunctionalInterface
  interface BucketPolicies {
    List<Binding> bindings(String bucket) throws IOException;
  }

  /** The binding one dataset needs for one job. */
  record Grant(String dataset, String bucket, String object, String member, String title, Instant expires) {
    String expression() {
      return "resource.name == \"projects/_/buckets/" + bucket + "/objects/" + object + "\" && request.time < timestamp(\""
          + expires + "\")";
    }

    /** The provider's command, with the digest in the member. */
    String addCommand() {
      return "gcloud storage buckets add-iam-policy-binding gs://" + bucket + " --member='" + member + "' --role=" + ROLE
          + " --condition='title=" + title + ",expression=" + expression() + "'";
    }

    /** Removes every binding of the image's member (each names one object of one job's dataset). */
    String removeCommand() {
      return "gcloud storage buckets remove-iam-policy-binding gs://" + bucket + " --member='" + member + "' --role=" + ROLE
          + " --all";
    }
  }

  private final DatasetCatalog datasets;
  private final String pool;
  private final BucketPolicies policies;
  private final Optional<String> readerAccount;

  static final String DATA_READER_REFUSED = GcpConfig.DATA_READER + " makes one service account read every dataset it"
      + " was granted, so an image approved for one dataset could read the others: unset it and let the pool read each"
      + " dataset through its own grant (docs/gcp.md, step 10)";

  /**
   * @param dataAccess the pool provider the VMs exchange their tokens at; its pool is the grants' principal set
   */
  WorkloadGrants(DatasetCatalog datasets, TeeDataAccess dataAccess, BucketPolicies policies) {
    this.datasets = datasets;
    String provider = dataAccess.identityProvider().substring(TeeDataAccess.IAM_PREFIX.length());
    this.pool = "principalSet://iam.googleapis.com/" + provider.substring(0, provider.indexOf("/providers/"));
    this.policies = policies;
    this.readerAccount = dataAccess.serviceAccount();
  }

  /** The member of the grants for one image: the pool's identities whose token names that digest. */
  String member(String imageDigest) {
    if (!imageDigest.matches("sha256:[0-9a-f]{64}")) {
      throw new IllegalArgumentException("'" + imageDigest + "' is not an image digest (sha256:<64 hex>)");
    }
    return pool + "/attribute.image_digest/" + imageDigest;
  }

  /** The grants {@code request}'s job needs: one per dataset whose real rows are in Cloud Storage. */
  List<Grant> required(Request request) throws IOException {
    Instant expires = request.until().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
    List<Grant> grants = new ArrayList<>();
    for (String name : request.datasets()) {
      CatalogDataset dataset = datasets.find(name).orElseThrow(() -> new IOException("dataset '" + name
          + "' is no longer served by this bridge; add it again with --dataset, or cancel the job"));
      if (!GcsStorageProvider.SCHEME.equals(dataset.data().getScheme())) {
        continue;
      }
      grants.add(new Grant(name, dataset.data().getHost(), dataset.data().getPath().substring(1), member(request.imageDigest()),
          "dcr-" + request.jobId() + "-" + name, expires));
    }
    return grants;
  }

  /** The IAM policy bindings the job's grants add, per bucket, as {@code gcloud storage buckets get-iam-policy} shows them. */
  Map<String, JsonObject> policyDocuments(Request request) throws IOException {
    Map<String, JsonObject> documents = new LinkedHashMap<>();
    for (Grant grant : required(request)) {
      documents.computeIfAbsent(grant.bucket(), b -> new JsonObject().put("version", 3).put("bindings", new JsonArray()))
          .getJsonArray("bindings").add(new JsonObject().put("role", ROLE).put("members", new JsonArray().add(grant.member()))
              .put("condition", new JsonObject().put("title", grant.title())
                  .put("description", "clean room job " + request.jobId() + " reads dataset " + grant.dataset())
                  .put("expression", grant.expression())));
    }
    return documents;
  }

  @Override
  public Status check(Request request) throws IOException {
    List<String> missing = new ArrayList<>();
    readerAccount.ifPresent(account -> missing.add(DATA_READER_REFUSED + " (" + account + ")"));
    for (Grant grant : required(request)) {
      List<Binding> bindings = policies.bindings(grant.bucket());
      for (Binding binding : bindings) {
        boolean pools = binding.members().stream().anyMatch(m -> m.startsWith(pool + "/"));
        boolean perObject = binding.condition().map(CONDITION::matcher).filter(Matcher::matches).isPresent();
        if (pools && !perObject) {
          missing.add("dataset '" + grant.dataset() + "': gs://" + grant.bucket() + " grants " + binding.role()
              + " to the pool's identities without naming an object, so an approved image could read other datasets"
              + " there: remove that binding (docs/gcp.md, step 10)");
        }
      }
      if (bindings.stream().noneMatch(b -> grants(b, grant, request.until()))) {
        missing.add("dataset '" + grant.dataset() + "' (provider " + datasets.find(grant.dataset()).orElseThrow().owner()
            + "): " + grant.addCommand());
      }
    }
    return new Status(missing);
  }

  /** Whether {@code binding} is {@code grant}: its role, its member, its object, and an expiry after the job's end. */
  private static boolean grants(Binding binding, Grant grant, Instant jobEnd) {
    if (!binding.role().equals(ROLE) || !binding.members().contains(grant.member()) || binding.condition().isEmpty()) {
      return false;
    }
    Matcher m = CONDITION.matcher(binding.condition().get());
    if (!m.matches() || !m.group(1).equals(grant.bucket()) || !m.group(2).equals(grant.object())) {
      return false;
    }
    try {
      Instant expires = Instant.parse(m.group(3));
      return !expires.isBefore(jobEnd) && !expires.isAfter(jobEnd.plus(MAX_OVERHANG));
    } catch (java.time.format.DateTimeParseException e) {
      return false;
    }
  }

  /**
   * The bridge cannot remove a grant (it may only read the buckets' policies): each lapses at its expiry, and this
   * returns the command that removes it now, for every grant still in place (for every grant, if the policy cannot
   * be read: the job is over either way).
   */
  @Override
  public List<String> revoke(Request request) throws IOException {
    List<String> left = new ArrayList<>();
    for (Grant grant : required(request)) {
      boolean inPlace;
      try {
        inPlace = policies.bindings(grant.bucket()).stream()
            .anyMatch(b -> b.role().equals(ROLE) && b.members().contains(grant.member()));
      } catch (IOException e) {
        inPlace = true;
      }
      if (inPlace) {
        left.add("dataset '" + grant.dataset() + "': " + grant.removeCommand());
      }
    }
    return left;
  }
}
