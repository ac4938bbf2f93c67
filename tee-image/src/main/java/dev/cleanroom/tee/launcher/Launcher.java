package dev.cleanroom.tee.launcher;

import com.nimbusds.jwt.SignedJWT;
import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.claims.AttestationClaims;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.manifest.JobOutcome;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.token.LauncherSocketClient;
import dev.cleanroom.attestation.token.TokenRequest;
import dev.cleanroom.kernel.maven.NotebookLock;
import dev.cleanroom.tee.api.ApprovedInputs;
import dev.cleanroom.tee.api.JobConfig;
import dev.cleanroom.tee.layout.ImageLayout;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The stage-2 image's entry point: runs one job inside the TEE and leaves its attested result in the job
 * folder. In order: read the job ({@link JobConfig}, from the environment) and refuse it unless its inputs are the
 * ones the image was approved for ({@link ApprovedInputs}), learn the image digest from the launcher's default token,
 * check the inputs against those commitments, run the notebook headless in
 * its own JVM, keep only legitimate outputs, hash them into the manifest ({@link JobFolder#hashOutputs()}),
 * and ask the launcher socket for a token whose nonce is the manifest's sha256. In the image the launcher is root
 * and the notebook another user, whose every process has ended before the outputs are hashed
 * ({@link NotebookExecution}).
 *
 * <p>Invariant: a job that fails (bad inputs, invalid notebook, failing cell, timeout, bad or oversized
 * outputs) still ends with an attested manifest saying why; nothing is written outside the job folder;
 * the launcher's log (stdout) carries no text the notebook controls.
 *
 * <p>With a job plan ({@code DCR_JOB_PLAN_URL}: Confidential Space, where nothing is mounted) the launcher first
 * downloads the inputs the plan names into the input folder, where they are checked like mounted ones, and last
 * uploads the job folder to where the plan says ({@link CloudTransfer}).
 *
 * <p>Exit status: 0 when the manifest and token were written (and, with a plan, uploaded), 2 when the job could
 * not start (no job id, a job folder that is not empty), 3 when the launcher socket gave no token, 4 when the
 * job folder could not be uploaded.
 */
public final class Launcher {
  static final int ATTESTED = 0;
  static final int NOT_STARTED = 2;
  static final int NO_TOKEN = 3;
  static final int NOT_UPLOADED = 4;
  /** Why a run fails when collecting or hashing what the notebook left failed: fixed, since the failure may name its files. */
  static final String COLLECTION_FAILED = "the launcher could not collect what the notebook left in the job folder; the outputs were deleted";
  /** Why a run fails on an unforeseen failure while it checks the inputs or runs the notebook: fixed, for the same reason. */
  static final String RUN_FAILED = "the launcher failed unexpectedly while it ran the notebook";
  /**
   * Why a run fails when the job's inputs ({@code DCR_INPUTS}, and so its job plan) are not exactly the ones its image
   * was approved for ({@code /app/inputs.json}), or the image carries none: fixed, since the operator set them.
   */
  static final String INPUTS_NOT_APPROVED = "the job's inputs are not the ones its image was approved for; the notebook did not run";

  private final LauncherPaths paths;
  private final Map<String, String> environment;
  private final LauncherSocketClient socket;
  private final Clock clock;
  private final PrintStream log;
  private final Path java;
  private final String classpath;
  private final CloudEndpoints endpoints;
  private final CloudHttp cloud;
  private final Optional<NotebookUser> notebookUser;

  /**
   * @param java the JVM the notebook runs in, and {@code classpath} its class path: this launcher's own
   * @param endpoints and {@code cloud}: where and how a job without mounts fetches its inputs and uploads its folder
   * @param notebookUser the user the notebook runs as, or empty for the launcher's own (see {@link #main})
   */
  Launcher(LauncherPaths paths, Map<String, String> environment, LauncherSocketClient socket, Clock clock, PrintStream log,
      Path java, String classpath, CloudEndpoints endpoints, CloudHttp cloud, Optional<NotebookUser> notebookUser) {
    this.paths = paths;
    this.environment = environment;
    this.socket = socket;
    this.clock = clock;
    this.log = log;
    this.java = java;
    this.classpath = classpath;
    this.endpoints = endpoints;
    this.cloud = cloud;
    this.notebookUser = notebookUser;
  }

  public static void main(String[] args) {
    LauncherPaths paths;
    try {
      boolean planned = !System.getenv().getOrDefault(JobConfig.JOB_PLAN_URL, "").isBlank();
      paths = args.length == 0 && planned ? LauncherPaths.inImageWithoutMounts() : LauncherPaths.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("launcher: " + e.getMessage());
      System.exit(NOT_STARTED);
      return;
    }
    // Root and the first process of its own pid namespace (the image, under runc or on Confidential Space, with only
    // the capabilities the runtime grants): the notebook runs as nobody. Otherwise (the plain-process simulator,
    // which isolates nothing) the notebook runs as the launcher's user.
    Optional<NotebookUser> notebookUser;
    try {
      boolean inContainer = ProcessHandle.current().pid() == 1 && NotebookUser.currentUid() == 0;
      notebookUser = inContainer ? Optional.of(new NotebookUser(ImageLayout.UID, ImageLayout.GID)) : Optional.empty();
    } catch (IOException e) {
      System.err.println("launcher: cannot tell which user it runs as: " + e.getMessage());
      System.exit(NOT_STARTED);
      return;
    }
    System.exit(new Launcher(paths, System.getenv(), new LauncherSocketClient(paths.socket()), Clock.systemUTC(), System.out,
        Path.of(System.getProperty("java.home"), "bin", "java"), System.getProperty("java.class.path"),
        CloudEndpoints.from(System.getProperties()), CloudHttp.standard(), notebookUser).run());
  }

  int run() {
    Instant started = clock.instant();
    JobRead read;
    try {
      read = readJob();
    } catch (IllegalArgumentException e) {
      log.println("launcher: cannot start: " + e.getMessage());
      return NOT_STARTED;
    }
    JobConfig job = read.job();
    String configProblem = read.problem() != null ? read.problem() : notApproved(job);
    JobFolder folder = JobFolder.at(paths.job());
    String planUrl = environment.getOrDefault(JobConfig.JOB_PLAN_URL, "").strip();
    CloudTransfer transfer = new CloudTransfer(cloud, endpoints, new WorkloadIdentity(cloud, endpoints, socket::defaultToken));
    try {
      if (!planUrl.isEmpty()) {
        // Nothing is mounted: the launcher makes both folders (in the image, under /tmp) and fills the input folder.
        Files.createDirectories(paths.input());
        Files.createDirectories(paths.job());
      }
      requireEmpty(paths.job());
    } catch (IOException e) {
      log.println("launcher: job " + job.jobId() + ": cannot start: " + e.getMessage());
      return NOT_STARTED;
    }
    say(job, "started");
    try {
      String imageDigest = imageDigest();
      byte[] notebook = Files.readAllBytes(paths.notebook());
      Sha256 notebookSha = Sha256.of(notebook);
      say(job, "image " + imageDigest + ", notebook sha256 " + notebookSha.hex());
      OutputCollector outputs = new OutputCollector(folder, job.maxOutputBytes());
      outputs.prepare();

      JobPlan plan = null;
      String fetchProblem = null;
      if (!planUrl.isEmpty()) {
        try {
          plan = transfer.plan(planUri(planUrl));
          if (configProblem == null) {
            var mismatch = plan.mismatch(job.inputs());
            if (mismatch.isPresent()) {
              fetchProblem = mismatch.get();
            } else {
              transfer.download(plan, paths.input());
              say(job, "inputs downloaded as the job plan says: " + plan.inputs().size() + " files");
            }
          }
        } catch (IOException | IllegalArgumentException e) {
          fetchProblem = "the inputs could not be fetched: " + e.getMessage();
        }
      }

      SortedMap<String, Sha256> inputs = new TreeMap<>();
      JobOutcome outcome;
      if (configProblem != null) {
        outcome = JobOutcome.failed(configProblem);
      } else if (fetchProblem != null) {
        say(job, fetchProblem);
        outcome = JobOutcome.failed(fetchProblem + "; the notebook did not run");
      } else {
        try {
          InputSource.Checked checked = new LocalFolderInputs(paths.input()).open(job.inputs());
          inputs.putAll(checked.seen());
          say(job, "inputs checked: " + inputs.size() + " files with the job's commitments");
          outcome = NotebookFormat.problem(notebook).map(p -> JobOutcome.failed(p + "; it did not run"))
              .orElseGet(() -> runNotebook(job, checked.dir(), folder, outputs));
        } catch (InputSource.InputMismatchException e) {
          inputs.putAll(e.seen());
          outcome = JobOutcome.failed(e.getMessage() + "; the notebook did not run");
        } catch (RuntimeException e) {
          // A failure nobody foresaw, perhaps on files the notebook wrote: its message may quote them, so the run
          // fails for a fixed reason, and is still attested below.
          outcome = JobOutcome.failed(RUN_FAILED);
        }
      }
      SortedMap<String, Sha256> hashed;
      try {
        var problem = outputs.collect(notebook);
        if (problem.isPresent()) {
          outcome = outcome.isSuccess() ? JobOutcome.failed(problem.get())
              : new JobOutcome(outcome.status(), outcome.reason() + "; also " + problem.get());
        }
        hashed = folder.hashOutputs();
      } catch (IOException | RuntimeException e) {
        // What failed touched the notebook's files and its message may name them: the run fails with a fixed
        // reason and is still attested, so a notebook can neither write into this log nor choose "no record".
        outputs.discard(notebook);
        outcome = JobOutcome.failed(COLLECTION_FAILED);
        hashed = folder.hashOutputs();
      }
      Files.write(folder.notebook(), notebook);
      JobManifest manifest = new JobManifest(job.jobId(), notebookSha, imageDigest, inputs, hashed,
          JobFolder.EXECUTED_NOTEBOOK, started, clock.instant(), outcome, libraries(notebook));
      // Only the status: the reason (which cell failed) and how many outputs there are are the notebook's doing,
      // for the manifest, which the providers read before anyone else.
      say(job, "finished: " + outcome.status().name().toLowerCase(Locale.ROOT) + "; outputs hashed");
      String token = socket.token(TokenRequest.oidc(job.audience(), manifest.nonce().hex()));
      folder.writeLauncherFiles(manifest, token);
      say(job, "manifest and token written (nonce " + manifest.nonce().hex() + ")");
      return planUrl.isEmpty() ? ATTESTED : upload(job, transfer, plan);
    } catch (AttestationException e) {
      say(job, "no attestation: " + e.getMessage() + " [" + e.code() + "]");
      return NO_TOKEN;
    } catch (IOException e) {
      say(job, "no attestation: the launcher could not read or write its files: " + e.getMessage());
      return NO_TOKEN;
    }
  }

  /** The plan's URL; its text is never echoed (a signed URL is a credential). */
  private static URI planUri(String url) throws IOException {
    return JobPlan.url(url, "the job plan (" + JobConfig.JOB_PLAN_URL + ")", false);
  }

  /** Sends the job folder where the plan says; without a plan (it could not be fetched) it stays in the VM. */
  private int upload(JobConfig job, CloudTransfer transfer, JobPlan plan) {
    if (plan == null) {
      say(job, "the job folder was not uploaded: the job plan could not be fetched");
      return NOT_UPLOADED;
    }
    try {
      long bytes = transfer.upload(paths.job(), plan.result(), paths.scratch());
      say(job, "job folder uploaded (" + bytes + " bytes)");
      return ATTESTED;
    } catch (IOException e) {
      say(job, "the job folder was not uploaded: " + e.getMessage());
      return NOT_UPLOADED;
    }
  }

  /** The job, or — when only its id is valid — the id and why the rest was refused. */
  private record JobRead(JobConfig job, String problem) {}

  private JobRead readJob() {
    try {
      return new JobRead(JobConfig.fromEnvironment(environment), null);
    } catch (IllegalArgumentException e) {
      // The id alone is enough to attest that the job was refused; without one there is nothing to attest.
      JobConfig idOnly;
      try {
        idOnly = JobConfig.of(environment.getOrDefault(JobConfig.JOB_ID, ""), Map.of());
      } catch (IllegalArgumentException noId) {
        throw e;
      }
      return new JobRead(idOnly, "the job's configuration is invalid: " + e.getMessage());
    }
  }

  /**
   * Why the job may not run with the inputs it names ({@link #INPUTS_NOT_APPROVED}), unless they are exactly the ones
   * the image carries: the operator sets {@code DCR_INPUTS} and the job plan, the providers approved the image's.
   */
  private String notApproved(JobConfig job) {
    try {
      ApprovedInputs approved = ApprovedInputs.fromJson(Files.readAllBytes(paths.approvedInputs()));
      return approved.commitments().equals(job.inputs()) ? null : INPUTS_NOT_APPROVED;
    } catch (IOException | IllegalArgumentException e) {
      return INPUTS_NOT_APPROVED;
    }
  }

  private JobOutcome runNotebook(JobConfig job, Path inputDir, JobFolder folder, OutputCollector outputs) {
    say(job, "running the notebook (cell limit " + job.cellTimeout().toSeconds() + " s, total "
        + job.totalTimeout().toSeconds() + " s, outputs up to " + job.maxOutputBytes() + " bytes)");
    NotebookExecution execution = new NotebookExecution(java, classpath, paths.scratch(), notebookUser);
    try {
      return execution.run(paths.notebook(), folder.executedNotebook(), folder.dir().resolve(OutputCollector.NOTEBOOK_LOG),
          inputDir, folder.outputs(), job.cellTimeout(), job.totalTimeout(), job.maxOutputBytes(), outputs::bytesWritten);
    } catch (IOException e) {
      return JobOutcome.failed("the launcher could not start the notebook's process: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return JobOutcome.failed("the launcher was interrupted while the notebook ran");
    }
  }

  /**
   * The digest of the image this runs in, from the launcher's default token: a container cannot compute
   * its own image digest, and a value from the operator could be wrong. The token is not verified here;
   * the verifier checks that the manifest's digest is the one its token attests.
   */
  /**
   * The hash of the notebook's lock, which the manifest names; empty when it locked no libraries. The image build
   * refused a notebook whose lock it could not read, so an unreadable one (an image built otherwise) names none.
   */
  static Optional<Sha256> libraries(byte[] notebook) {
    try {
      NotebookLock lock = NotebookLock.of(notebook);
      return lock.isEmpty() ? Optional.empty() : Optional.of(new Sha256(lock.sha256()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private String imageDigest() {
    String token = socket.defaultToken();
    try {
      AttestationClaims claims = AttestationClaims.fromMap(SignedJWT.parse(token).getPayload().toJSONObject());
      String digest = claims.container().imageDigest();
      if (!digest.matches("sha256:[0-9a-f]{64}")) {
        throw new AttestationException("token_unavailable", "the launcher's default token names no image digest");
      }
      return digest;
    } catch (ParseException | IllegalArgumentException e) {
      throw new AttestationException("token_unavailable", "the launcher's default token is not a JWT");
    }
  }

  private static void requireEmpty(Path job) throws IOException {
    if (!Files.isDirectory(job)) {
      throw new IOException("the job folder " + job + " does not exist");
    }
    try (Stream<Path> entries = Files.list(job)) {
      if (entries.findAny().isPresent()) {
        throw new IOException("the job folder " + job + " is not empty; each job starts in an empty folder");
      }
    }
  }

  private void say(JobConfig job, String line) {
    log.println("launcher: job " + job.jobId() + ": " + line);
    log.flush();
  }
}
