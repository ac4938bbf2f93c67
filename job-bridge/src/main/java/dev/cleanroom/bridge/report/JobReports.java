package dev.cleanroom.bridge.report;

import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.claims.ConfidentialSpace;
import dev.cleanroom.attestation.jwks.ArchivedJwks;
import dev.cleanroom.attestation.jwks.JwksFetcher;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.report.AttestationReport;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.simulator.SimulatorIssuer;
import dev.cleanroom.attestation.verify.AttestationVerifier;
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
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A job's attestation report, from the run's end on: sealing what the TEE uploaded (archive the issuer's keys,
 * verify, write {@code report.json}), and verifying stored or uploaded reports for auditors.
 *
 * <p>Invariant: the simulator's tokens are accepted only when the platform is the simulator, and the keys a
 * report archives are the keys its token was verified with when the job finished.
 */
public final class JobReports {
  private final ObjectStorage storage;
  private final Path cache;
  private final URI issuerDiscovery;
  private final boolean simulated;
  private final java.util.Set<String> hardwareModels;
  private final String audience;
  private final Clock clock;
  private final AttestationVerifier verifier = AttestationVerifier.create();

  private JobReports(ObjectStorage storage, Path cache, URI issuerDiscovery, boolean simulated,
      java.util.Set<String> hardwareModels, String audience, Clock clock) {
    this.storage = storage;
    this.cache = cache;
    this.issuerDiscovery = issuerDiscovery;
    this.simulated = simulated;
    this.hardwareModels = java.util.Set.copyOf(hardwareModels);
    this.audience = audience;
    this.clock = clock;
  }

  /**
   * @param cache a folder of the bridge's own for copies of job folders (unused with local storage, whose
   *     folders are verified where they are)
   * @param issuerDiscovery the platform issuer's OIDC discovery document
   * @param simulated whether the platform is the local simulator
   * @param hardwareModels hardware models accepted beyond the default ones ({@code TeePlatform.extraHardwareModels})
   * @param audience the audience the TEE asks its token for
   */
  public static JobReports create(ObjectStorage storage, Path cache, URI issuerDiscovery, boolean simulated,
      java.util.Set<String> hardwareModels, String audience, Clock clock) {
    return new JobReports(storage, cache, issuerDiscovery, simulated, hardwareModels, audience, clock);
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
        .expectAudience(audience)
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

  /** Verifies a job's stored report against its stored notebook and outputs, as an auditor would. */
  public VerificationResult verifyStored(String jobId) throws IOException {
    JobFolder folder = fetch(jobId);
    Verification verification = verifier.verify(folder, auditOptions());
    return result(folder.readReport(), verification, "the files this bridge stores for job " + jobId);
  }

  /**
   * Verifies an uploaded report. When this bridge holds the job it names and {@code mayUseStoredFiles} allows,
   * the notebook and output checks compare with the stored files; otherwise there are no files to compare with
   * and those two checks fail.
   */
  public VerificationResult verifyUploaded(byte[] reportBytes, Predicate<String> mayUseStoredFiles) throws IOException {
    AttestationReport report = AttestationReport.fromBytes(reportBytes);
    String jobId = report.manifest().jobId();
    Path scratch = Files.createTempDirectory(Files.createDirectories(cache), "upload-");
    try {
      String files = "no files: the report's job is not on this bridge";
      if (dev.cleanroom.bridge.job.JobId.isValid(jobId) && mayUseStoredFiles.test(jobId) && hasResult(jobId)) {
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
      Verification verification = verifier.verify(JobFolder.at(scratch), auditOptions());
      return result(report, verification, files);
    } finally {
      FileTrees.delete(scratch);
    }
  }

  private VerificationOptions auditOptions() {
    VerificationOptions.Builder options = VerificationOptions.builder().clock(clock).expectAudience(audience)
        .checkTimesAtJobEnd();
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

  private static VerificationResult result(AttestationReport report, Verification verification, String files) {
    return new VerificationResult(report.manifest().jobId(), verification.passed(), isSimulated(report),
        verification.keySource(), files, verification.checks());
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
