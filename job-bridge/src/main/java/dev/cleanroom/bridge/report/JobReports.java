package dev.cleanroom.bridge.report;

import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.claims.ConfidentialSpace;
import dev.cleanroom.attestation.jwks.ArchivedJwks;
import dev.cleanroom.attestation.jwks.JwksFetcher;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.report.AttestationReport;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.simulator.SimulatorIssuer;
import dev.cleanroom.attestation.trust.DeploymentTrust;
import dev.cleanroom.attestation.verify.AttestationVerifier;
import dev.cleanroom.attestation.verify.Check;
import dev.cleanroom.attestation.verify.CheckName;
import dev.cleanroom.attestation.verify.Verification;
import dev.cleanroom.attestation.verify.VerificationOptions;
import dev.cleanroom.bridge.backend.FileTrees;
import dev.cleanroom.bridge.backend.JobObjects;
import dev.cleanroom.bridge.backend.LocalStorage;
import dev.cleanroom.bridge.backend.ObjectStorage;
import dev.cleanroom.bridge.service.VerificationResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A job's attestation report, from the run's end on: sealing what the TEE uploaded (archive the issuer's keys,
 * verify, write {@code report.json}), and verifying stored or uploaded reports for auditors.
 *
 * <p>Invariant: the simulator's tokens are accepted only when the platform is the simulator, and the keys a
 * report archives are the keys its token was verified with when the job finished. Every report is checked against
 * this deployment's trust file, with keys this bridge fetched itself: never keys a report carries.
 */
public final class JobReports {
  private final ObjectStorage storage;
  private final Path cache;
  private final URI issuerDiscovery;
  private final boolean simulated;
  private final java.util.Set<String> hardwareModels;
  private final DeploymentTrust trust;
  private final Clock clock;
  private final AttestationVerifier verifier = AttestationVerifier.create();

  private JobReports(ObjectStorage storage, Path cache, URI issuerDiscovery, boolean simulated,
      java.util.Set<String> hardwareModels, DeploymentTrust trust, Clock clock) {
    this.storage = storage;
    this.cache = cache;
    this.issuerDiscovery = issuerDiscovery;
    this.simulated = simulated;
    this.hardwareModels = java.util.Set.copyOf(hardwareModels);
    this.trust = trust;
    this.clock = clock;
  }

  /**
   * @param cache a folder of the bridge's own for copies of job folders (unused with local storage, whose
   *     folders are verified where they are)
   * @param issuerDiscovery the platform issuer's OIDC discovery document
   * @param simulated whether the platform is the local simulator
   * @param hardwareModels hardware models accepted beyond the default ones ({@code TeePlatform.extraHardwareModels})
   * @param trust this deployment's trust file (its audience is the one the TEEs ask their tokens for)
   */
  public static JobReports create(ObjectStorage storage, Path cache, URI issuerDiscovery, boolean simulated,
      java.util.Set<String> hardwareModels, DeploymentTrust trust, Clock clock) {
    return new JobReports(storage, cache, issuerDiscovery, simulated, hardwareModels, trust, clock);
  }

  public boolean simulated() {
    return simulated;
  }

  /** What sealing a run's result found. */
  public record Sealed(JobManifest manifest, Verification verification, List<String> problems) {
    /** Whether the report verified and belongs to the job it was sealed for. */
    public boolean trusted() {
      return verification.passed() && problems.isEmpty();
    }
  }

  /** Whether the TEE uploaded a launcher record (manifest and token) for the job. */
  public boolean hasResult(String jobId) throws IOException {
    return storage.exists(JobObjects.resultFile(jobId, JobFolder.MANIFEST))
        && storage.exists(JobObjects.resultFile(jobId, JobFolder.TOKEN));
  }

  /**
   * Seals a finished run: puts the submitted notebook into the job folder, archives the issuer's JWKS,
   * verifies the token with exactly those keys, and stores {@code jwks.json} and {@code report.json}. Safe to
   * repeat (after a crash it archives the keys again and writes the same report).
   *
   * @param imageDigest the digest the bridge built; the manifest must name it
   * @throws AttestationException {@code jwks_unavailable} when the issuer's keys cannot be read (retry later);
   *     {@code invalid_report} or {@code invalid_manifest} when the upload holds no readable report
   */
  public Sealed seal(String jobId, String imageDigest) throws IOException {
    copy(JobObjects.notebook(jobId), JobObjects.resultFile(jobId, JobFolder.NOTEBOOK));
    JobFolder folder = fetch(jobId);
    AttestationReport report = folder.readReport();
    String issuer = simulated ? SimulatorIssuer.ISSUER : ConfidentialSpace.ISSUER;
    ArchivedJwks keys = JwksFetcher.create(clock).fetch(issuerDiscovery, issuer);
    VerificationOptions.Builder options = VerificationOptions.builder()
        .clock(clock)
        .trust(trust)
        .offlineKeys(keys)
        // The bridge may seal long after the run (it was down); the token must have been valid at the job's end.
        .checkTimesAtJobEnd();
    trusting(options);
    Verification verification = verifier.verify(folder, options.build());
    folder.writeReport(report.withJwks(keys));
    store(folder, jobId, JobFolder.JWKS);
    store(folder, jobId, JobFolder.REPORT);
    JobManifest manifest = report.manifest();
    List<String> problems = new java.util.ArrayList<>();
    if (!manifest.jobId().equals(jobId)) {
      problems.add("the report is for job " + manifest.jobId() + ", not " + jobId);
    }
    if (!manifest.imageDigest().equals(imageDigest)) {
      problems.add("the report names image " + manifest.imageDigest() + ", not the image built for the job, " + imageDigest);
    }
    return new Sealed(manifest, verification, List.copyOf(problems));
  }

  /** The stored report of a job. */
  public AttestationReport report(String jobId) throws IOException {
    try (InputStream in = storage.get(JobObjects.report(jobId))) {
      return AttestationReport.fromBytes(in.readAllBytes());
    }
  }

  /**
   * Verifies a job's stored report against its stored notebook and outputs, as an auditor would, with the keys this
   * bridge archived when it sealed the report.
   */
  public VerificationResult verifyStored(String jobId) throws IOException {
    JobFolder folder = fetch(jobId);
    Verification verification = verifier.verify(folder, auditOptions(jobId));
    return result(folder.readReport(), verification, "the files this bridge stores for job " + jobId, List.of());
  }

  /**
   * Verifies an uploaded report. When this bridge holds the job it names and {@code mayUseStoredFiles} allows,
   * the notebook and output checks compare with the stored files, the keys are the ones this bridge archived for the
   * job, and the report's image must be the one this bridge built for the job ({@code builtImage}); otherwise there
   * are no files to compare with, those two checks fail, and the keys are the issuer's live ones. The keys the upload
   * carries are never used.
   */
  public VerificationResult verifyUploaded(byte[] reportBytes, Predicate<String> mayUseStoredFiles,
      Function<String, Optional<String>> builtImage) throws IOException {
    AttestationReport report = AttestationReport.fromBytes(reportBytes);
    String jobId = report.manifest().jobId();
    Path scratch = Files.createTempDirectory(Files.createDirectories(cache), "upload-");
    try {
      String files = "no files: the report's job is not on this bridge";
      boolean held = dev.cleanroom.bridge.job.JobId.isValid(jobId) && mayUseStoredFiles.test(jobId) && hasResult(jobId);
      List<Check> problems = new java.util.ArrayList<>();
      if (held) {
        builtImage.apply(jobId).filter(digest -> !digest.equals(report.manifest().imageDigest())).ifPresent(digest ->
            problems.add(new Check(CheckName.IMAGE_DIGEST, false, "the report names image " + report.manifest().imageDigest()
                + ", not the image this bridge built for job " + jobId + ", " + digest)));
        JobFolder stored = fetch(jobId);
        try (Stream<Path> walk = Files.walk(stored.dir())) {
          for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
            String name = stored.dir().relativize(file).toString();
            if (name.equals(JobFolder.REPORT) || name.equals(JobFolder.MANIFEST) || name.equals(JobFolder.TOKEN)
                || name.equals(JobFolder.JWKS)) {
              continue;
            }
            Path target = scratch.resolve(name);
            Files.createDirectories(target.getParent());
            Files.copy(file, target);
          }
        }
        files = "the files this bridge stores for job " + jobId;
      }
      Files.write(scratch.resolve(JobFolder.REPORT), reportBytes);
      Verification verification = verifier.verify(JobFolder.at(scratch), held ? auditOptions(jobId) : liveOptions());
      return result(report, verification, files, problems);
    } finally {
      FileTrees.delete(scratch);
    }
  }

  /** With the keys this bridge archived for the job when it sealed the report (its own copy, not an upload's). */
  private VerificationOptions auditOptions(String jobId) throws IOException {
    Optional<ArchivedJwks> archived = report(jobId).jwks();
    if (archived.isEmpty()) {
      return liveOptions();
    }
    return trusting(VerificationOptions.builder().clock(clock).trust(trust).checkTimesAtJobEnd()
        .offlineKeys(archived.get())).build();
  }

  /** With the issuer's live keys: Google's pinned discovery, or this bridge's own simulator. */
  private VerificationOptions liveOptions() {
    VerificationOptions.Builder options = VerificationOptions.builder().clock(clock).trust(trust).checkTimesAtJobEnd();
    if (simulated) {
      options.liveKeys(issuerDiscovery);
    }
    return trusting(options).build();
  }

  /** The simulator's tokens only on the simulator's platform; extra hardware models only as the platform says. */
  private VerificationOptions.Builder trusting(VerificationOptions.Builder options) {
    if (simulated) {
      options.allowSimulator();
    }
    hardwareModels.forEach(options::allowHardwareModel);
    return options;
  }

  private static VerificationResult result(AttestationReport report, Verification verification, String files,
      List<Check> problems) {
    List<Check> checks = new java.util.ArrayList<>(verification.checks());
    checks.addAll(problems);
    return new VerificationResult(report.manifest().jobId(), verification.passed() && problems.isEmpty(),
        isSimulated(report), verification.keySource(), files, checks);
  }

  /** Whether the token says it is the simulator's; read unverified, to label the result, never to trust it. */
  private static boolean isSimulated(AttestationReport report) {
    try {
      return SimulatorIssuer.ISSUER.equals(com.nimbusds.jwt.JWTParser.parse(report.token()).getJWTClaimsSet().getIssuer());
    } catch (java.text.ParseException e) {
      return false;
    }
  }

  /** The job folder where it can be read as files: in place for local storage, else a fresh copy. */
  private JobFolder fetch(String jobId) throws IOException {
    String prefix = JobObjects.result(jobId);
    if (storage instanceof LocalStorage local) {
      return JobFolder.at(local.file(prefix.substring(0, prefix.length() - 1)));
    }
    Path dir = Files.createDirectories(cache).resolve(jobId);
    FileTrees.delete(dir);
    for (String key : storage.list(prefix)) {
      Path target = dir.resolve(key.substring(prefix.length()));
      Files.createDirectories(target.getParent());
      try (InputStream in = storage.get(key)) {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return JobFolder.at(dir);
  }

  private void store(JobFolder folder, String jobId, String name) throws IOException {
    if (storage instanceof LocalStorage) {
      return; // written in place
    }
    Path file = folder.dir().resolve(name);
    try (InputStream in = Files.newInputStream(file)) {
      storage.put(JobObjects.resultFile(jobId, name), in, Files.size(file));
    }
  }

  private void copy(String from, String to) throws IOException {
    byte[] bytes;
    try (InputStream in = storage.get(from)) {
      bytes = in.readAllBytes();
    }
    storage.put(to, new java.io.ByteArrayInputStream(bytes), bytes.length);
  }



  /** Reads the manifest of a stored report, if there is one. */
  public Optional<JobManifest> manifest(String jobId) throws IOException {
    return storage.exists(JobObjects.report(jobId)) ? Optional.of(report(jobId).manifest()) : Optional.empty();
  }
}
