package dev.cleanroom.tee.api;

import dev.cleanroom.attestation.jwks.ArchivedJwks;
import dev.cleanroom.attestation.jwks.JwksFetcher;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.attestation.simulator.SimulatorIssuer;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import dev.cleanroom.attestation.trust.DeploymentTrust;
import dev.cleanroom.attestation.verify.AttestationVerifier;
import dev.cleanroom.attestation.verify.Verification;
import dev.cleanroom.attestation.verify.VerificationOptions;
import dev.cleanroom.tee.fs.FileTrees;
import dev.cleanroom.tee.simulator.DatasetInputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The whole of stage 2 on one machine, without the job bridge ({@code dcr run-local}): build the
 * notebook's image, run it in the {@link TeeSimulator} on a provider's dataset, archive the simulator's
 * JWKS into {@code report.json} as the job bridge would, and verify the result against the run's own trust file
 * (this simulator's keys, an audience of this run's own, the commitments of the staged inputs), which {@code dcr
 * run-local} writes beside the output folder as {@code <dir>.trust.json}, so that {@code dcr verify --allow-simulator
 * --trust <dir>.trust.json <dir>} works on it.
 */
public final class LocalRun {
  /**
   * @param trust the run's trust file
   * @param verification the report checked as {@code dcr verify --allow-simulator --trust} would (plus the
   *     plain-process hardware model when that is how it ran)
   * @param steps how long each step took: {@code build}, {@code unpack}, {@code run}, {@code report},
   *     {@code verify}
   */
  public record Result(Path jobFolder, BuiltImage image, SimulatedRun run, DeploymentTrust trust, Verification verification,
      Map<String, Duration> steps) {
    public Result {
      steps = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(steps));
    }
  }

  private final ImageBuilder builder;
  private final SimulatorKeys keys;
  private final SimulatedWorkload.Isolation isolation;
  private final Path work;
  private final Consumer<String> progress;

  /**
   * @param keys the simulator's signing keys (keep them, e.g. in {@code $DCR_CACHE}, to check old reports
   *     against the simulator's live JWKS)
   * @param work a scratch folder for image layouts and runs
   */
  public LocalRun(ImageBuilder builder, SimulatorKeys keys, SimulatedWorkload.Isolation isolation, Path work,
      Consumer<String> progress) {
    this.builder = builder;
    this.keys = keys;
    this.isolation = isolation;
    this.work = work;
    this.progress = progress;
  }

  /**
   * Runs {@code notebook} on {@code dataset} (a CSV with {@code policy.yaml} beside it, or a folder with
   * {@code real.csv} and {@code policy.yaml}; {@code policy} overrides the policy file; the
   * {@code synthetic.csv} beside the policy is an input too when the policy offers the synthetic view) into
   * {@code outDir}, which must be new or empty. A job that fails is a result too: its manifest says why.
   */
  public Result run(Path notebook, Path dataset, Optional<Path> policy, Path outDir, JobSettings settings)
      throws ImageBuildException, SimulationException {
    Map<String, Duration> steps = new LinkedHashMap<>();
    Path scratch = null;
    try {
      Files.createDirectories(work);
      scratch = Files.createTempDirectory(work, "local-");
      SortedMap<String, Sha256> inputs = DatasetInputs.stage(dataset, policy, scratch.resolve("input"));
      String jobId = jobId();
      // An audience of this run's own: a token asked for any other is not this run's.
      JobConfig job = settings.apply(JobConfig.of(jobId, inputs)).withAudience("urn:cleanroom:run-local:" + jobId);

      long start = System.nanoTime();
      progress.accept("Building the image of " + notebook.getFileName());
      // The image is approved for exactly the staged inputs, as the bridge builds a job's image for its datasets.
      BuiltImage image = builder.build(notebook, ApprovedInputs.of(inputs), scratch.resolve("image"));
      steps.put("build", since(start));
      progress.accept("Image " + image.digest());

      SimulatedRun run;
      try (TeeSimulator tee = TeeSimulator.start(keys, isolation, scratch.resolve("runs"))) {
        progress.accept("Running job " + job.jobId() + " in the simulator (" + isolation + ")");
        run = tee.run(image.layout().orElseThrow(), job, scratch.resolve("input"), outDir, progress);
        steps.putAll(run.steps());

        start = System.nanoTime();
        // As the job bridge does when a job finishes: archive the issuer's live JWKS into the report.
        ArchivedJwks jwks = JwksFetcher.create(Clock.systemUTC()).fetch(tee.discoveryUrl(), SimulatorIssuer.ISSUER);
        JobFolder folder = JobFolder.at(outDir);
        folder.writeReport(folder.readReport().withJwks(jwks));
        steps.put("report", since(start));
      }
      start = System.nanoTime();
      DeploymentTrust trust = new DeploymentTrust("dcr run-local " + jobId, job.audience(), SimulatorIssuer.PROJECT_ID,
          SimulatorIssuer.PROJECT_NUMBER, List.of(SimulatorIssuer.SERVICE_ACCOUNT), List.of(ImageBuilder.REPOSITORY),
          List.of(image.digest()), inputs, Optional.of(keys.archive(Instant.now())));
      VerificationOptions.Builder options = VerificationOptions.builder().allowSimulator().trust(trust);
      if (isolation == SimulatedWorkload.Isolation.PROCESS) {
        options.allowHardwareModel(isolation.hardwareModel());
      }
      Verification verification = AttestationVerifier.create().verify(JobFolder.at(outDir), options.build());
      steps.put("verify", since(start));
      return new Result(JobFolder.at(outDir).dir(), image, run, trust, verification, steps);
    } catch (IOException e) {
      throw new SimulationException("tool_failed", "Tried to run " + notebook + " locally but failed because: "
          + e.getMessage(), e);
    } finally {
      FileTrees.deleteScratch(scratch, progress);
    }
  }

  /** Where a run into {@code outDir} writes its trust file: beside the folder, never in it (it is no output). */
  public static Path trustFile(Path outDir) {
    Path dir = outDir.toAbsolutePath().normalize();
    return dir.resolveSibling(dir.getFileName() + ".trust.json");
  }

  /** The job's limits, when not the defaults. */
  public record JobSettings(Duration cellTimeout, Duration totalTimeout, long maxOutputBytes) {
    public static JobSettings defaults() {
      return new JobSettings(JobConfig.DEFAULT_CELL_TIMEOUT, JobConfig.DEFAULT_TIMEOUT, JobConfig.DEFAULT_MAX_OUTPUT_BYTES);
    }

    JobConfig apply(JobConfig job) {
      return job.withTimeouts(cellTimeout, totalTimeout).withMaxOutputBytes(maxOutputBytes);
    }
  }

  private static String jobId() {
    return "local-" + LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
        + "-" + UUID.randomUUID().toString().substring(0, 6);
  }

  private static Duration since(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
