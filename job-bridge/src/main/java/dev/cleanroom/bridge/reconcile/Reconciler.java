package dev.cleanroom.bridge.reconcile;

import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.bridge.backend.BuiltImage;
import dev.cleanroom.bridge.backend.DataGrants;
import dev.cleanroom.bridge.backend.JobObjects;
import dev.cleanroom.bridge.backend.ObjectStorage;
import dev.cleanroom.bridge.backend.TeeBackend;
import dev.cleanroom.bridge.backend.TeePlatform;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import dev.cleanroom.bridge.disclosure.OutputChecks;
import dev.cleanroom.bridge.job.Job;
import dev.cleanroom.bridge.job.JobDataset;
import dev.cleanroom.bridge.job.JobState;
import dev.cleanroom.bridge.metrics.Metrics;
import dev.cleanroom.bridge.report.JobReports;
import dev.cleanroom.bridge.store.JobStore;
import dev.cleanroom.bridge.store.JobUpdate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Drives every job that is not over through its lifecycle: builds the approved, launches the built, watches the
 * running, seals the finished, releases what needs no release, and stops every run of a job that is over.
 *
 * <p>Invariant: each step is safe to repeat, because a step may be cut off at any point (the bridge is killed)
 * and is then taken again from the state the database holds: a build gives the same digest again, a launch finds
 * the run already started ({@link TeeBackend} is idempotent by job id), sealing writes the same report, and a
 * state change is a compare-and-set that does nothing when the job moved on. Before the TEE is asked to launch,
 * the database records that a run may exist; so a run is always stopped once its job is over, whatever happened
 * in between. On start, every job not over is picked up again.
 */
public final class Reconciler implements AutoCloseable {
  /** Polls between two checks of a built job's data grants (each check may read IAM policies). */
  private static final int GRANT_POLLS = 5;

  /**
   * How the reconciler paces itself.
   *
   * @param poll how often every job is looked at without being woken
   * @param maxStepFailures failures of one step in a row before the job is FAILED (transient failures retry)
   * @param retryBackoff the wait after a first failure, doubled after each further one (at most a minute)
   * @param maxLaunches how many times a run lost without a result is started again
   * @param workers jobs advanced at once (a build or a seal takes a worker while it runs)
   */
  public record Settings(Duration poll, int maxStepFailures, Duration retryBackoff, int maxLaunches, int workers) {
    public static final Settings DEFAULT = new Settings(Duration.ofSeconds(2), 5, Duration.ofSeconds(2), 2, 4);
  }

  private final JobStore store;
  private final ObjectStorage storage;
  private final TeePlatform platform;
  private final JobReports reports;
  private final DatasetCatalog datasets;
  private final OutputChecks outputChecks;
  private final Settings settings;
  private final Clock clock;
  private final Metrics metrics;
  private final Consumer<String> log;
  private final String audience;
  private final Path workDir;

  private final Set<String> inProgress = ConcurrentHashMap.newKeySet();
  private final Map<String, Instant> notBefore = new ConcurrentHashMap<>();
  /** Built jobs waiting for their data grants: when to look again, and what was last said about the wait. */
  private final Map<String, Instant> grantsCheckedAfter = new ConcurrentHashMap<>();
  private final Map<String, String> grantsWaitingFor = new ConcurrentHashMap<>();
  private final Semaphore wakeUp = new Semaphore(0);
  private final ExecutorService workers;
  private volatile Thread loop;
  private volatile boolean closed;

  private Reconciler(JobStore store, ObjectStorage storage, TeePlatform platform, JobReports reports,
      DatasetCatalog datasets, Settings settings, Clock clock, Metrics metrics, Consumer<String> log, String audience,
      Path workDir) {
    this.store = store;
    this.storage = storage;
    this.platform = platform;
    this.reports = reports;
    this.datasets = datasets;
    this.outputChecks = new OutputChecks(storage, reports, datasets, store);
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
    this.log = log;
    this.audience = audience;
    this.workDir = workDir;
    this.workers = Executors.newFixedThreadPool(settings.workers(), Thread.ofPlatform().name("reconciler-", 1).daemon().factory());
  }

  /**
   * @param workDir a folder of the bridge's own, for notebooks handed to the image build
   * @param log receives one line per build, launch, seal and stop, besides the store's state-change lines
   */
  public static Reconciler create(JobStore store, ObjectStorage storage, TeePlatform platform, JobReports reports,
      DatasetCatalog datasets, Settings settings, Clock clock, Metrics metrics, Consumer<String> log, String audience,
      Path workDir) {
    return new Reconciler(store, storage, platform, reports, datasets, settings, clock, metrics, log, audience, workDir);
  }

  /** Starts the loop: every job not over is picked up now, then on each poll or {@link #wake()}. */
  public void start() {
    loop = Thread.ofPlatform().name("reconciler").daemon().start(() -> {
      while (!closed) {
        try {
          dispatch();
          if (wakeUp.tryAcquire(settings.poll().toMillis(), TimeUnit.MILLISECONDS)) {
            wakeUp.drainPermits();
          }
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          // The database may be down: say so and try again at the next poll.
          log.accept("reconciler: could not list the jobs to drive (" + e.getMessage() + "); retrying");
          sleepQuietly(settings.poll());
        }
      }
    });
  }

  /** Looks at every job soon (a user approved, released, cancelled or submitted one). */
  public void wake() {
    wakeUp.release();
  }

  private void dispatch() {
    for (Job job : store.needingWork()) {
      if (closed) {
        return;
      }
      if (waitsForUser(job) || notBefore.getOrDefault(job.id(), Instant.MIN).isAfter(clock.instant())
          || job.state() == JobState.BUILT && grantsCheckedAfter.getOrDefault(job.id(), Instant.MIN).isAfter(clock.instant())) {
        continue;
      }
      if (inProgress.add(job.id())) {
        workers.execute(() -> {
          try {
            advance(job.id());
          } finally {
            inProgress.remove(job.id());
          }
        });
      }
    }
  }

  /** A job that waits for a person and holds nothing: nothing to do until someone acts (and wakes us). */
  private static boolean waitsForUser(Job job) {
    boolean holdsRun = job.run().mayBeRunning() && job.state() != JobState.RUNNING && job.state() != JobState.LAUNCHING;
    return !holdsRun && (job.state() == JobState.SUBMITTED && !job.approvalsPending().isEmpty()
        || job.state() == JobState.FINISHED && !job.releasesPending().isEmpty());
  }

  /**
   * Takes one job as far as it goes now, step by step, until it waits for something (a person, a running TEE)
   * or is over. Synchronous; the loop calls it on a worker, tests may call it directly.
   */
  public void advance(String jobId) {
    for (int steps = 0; steps < 32 && !closed; steps++) {
      Optional<Job> found = store.find(jobId);
      if (found.isEmpty()) {
        return;
      }
      Job job = found.get();
      String step = stepName(job);
      try {
        if (!step(job)) {
          notBefore.remove(jobId);
          return;
        }
      } catch (Exception e) {
        failed(job, step, e);
        return;
      }
    }
  }

  private static String stepName(Job job) {
    if (job.run().mayBeRunning() && job.state() != JobState.LAUNCHING && job.state() != JobState.RUNNING) {
      return "stop";
    }
    return switch (job.state()) {
      case BUILDING -> "build";
      case LAUNCHING -> "launch";
      case RUNNING -> "watch";
      default -> job.state().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** Does the next step of {@code job}; true if it changed something and the job may have more to do now. */
  private boolean step(Job job) throws IOException {
    if (job.run().mayBeRunning() && job.state() != JobState.LAUNCHING && job.state() != JobState.RUNNING) {
      return stopRun(job);
    }
    return switch (job.state()) {
      case SUBMITTED -> job.approvalsPending().isEmpty()
          && moved(store.transition(job.id(), JobState.SUBMITTED, JobState.APPROVED, "approved by every provider", JobUpdate.none()));
      case APPROVED -> moved(store.transition(job.id(), JobState.APPROVED, JobState.BUILDING, "building the image", JobUpdate.none()));
      case BUILDING -> build(job);
      case BUILT -> grantsInPlace(job)
          && moved(store.transition(job.id(), JobState.BUILT, JobState.LAUNCHING, "launching in the TEE", JobUpdate.none()));
      case LAUNCHING -> launch(job);
      case RUNNING -> watch(job);
      case FINISHED -> job.releasesPending().isEmpty()
          && moved(store.transition(job.id(), JobState.FINISHED, JobState.RELEASED,
              "no dataset's policy makes the outputs wait for release", JobUpdate.none()));
      default -> false;
    };
  }

  private static boolean moved(Optional<Job> job) {
    return job.isPresent();
  }

  private boolean build(Job job) throws IOException {
    Path notebook = Files.createDirectories(workDir.resolve("notebooks")).resolve(job.id() + ".ipynb");
    try (InputStream in = storage.get(JobObjects.notebook(job.id()))) {
      Files.copy(in, notebook, StandardCopyOption.REPLACE_EXISTING);
    }
    long start = System.nanoTime();
    log.accept("job " + job.id() + ": building its image");
    BuiltImage image = platform.images().build(job.id(), notebook, LaunchEnvironment.inputs(job, datasets));
    String took = String.format(java.util.Locale.ROOT, "%.1f s", (System.nanoTime() - start) / 1e9);
    Files.deleteIfExists(notebook);
    return moved(store.transition(job.id(), JobState.BUILDING, JobState.BUILT, "image " + image.digest() + " built in " + took,
        JobUpdate.none().image(image.reference(), image.digest())));
  }

  /**
   * Whether the providers' grants for the job's image to read its datasets are in place (on Confidential Space, an
   * IAM binding per dataset for the image's digest, made once the build printed it). If not, the job stays BUILT and
   * is looked at again after a while; the wait is noted once in its timeline, and what each provider is to do goes
   * to the log. The job's time limit starts at its launch, so a job waits here until its grants are in place or
   * someone cancels it; a grant that cannot be read fails the step, which is retried and then fails the job.
   */
  private boolean grantsInPlace(Job job) throws IOException {
    DataGrants.Status status = platform.grants().check(grantRequest(job));
    if (status.ready()) {
      grantsCheckedAfter.remove(job.id());
      grantsWaitingFor.remove(job.id());
      return true;
    }
    String waiting = String.join("; ", status.missing());
    if (!waiting.equals(grantsWaitingFor.put(job.id(), waiting))) {
      store.note(job.id(), "waiting for " + status.missing().size() + " data grant(s) of the providers for image "
          + job.imageDigest().orElseThrow());
      status.missing().forEach(missing -> log.accept("job " + job.id() + ": waiting for a data grant: " + missing));
    }
    grantsCheckedAfter.put(job.id(), clock.instant().plus(settings.poll().multipliedBy(GRANT_POLLS)));
    return false;
  }

  private DataGrants.Request grantRequest(Job job) {
    return new DataGrants.Request(job.id(), job.imageDigest().orElseThrow(),
        job.datasets().stream().map(JobDataset::dataset).toList(), clock.instant().plus(job.timeout()));
  }

  private boolean launch(Job job) throws IOException {
    Instant now = clock.instant();
    if (job.run().requestedAt().isEmpty() || job.run().stoppedAt().isPresent()) {
      // Recorded before the TEE is asked: from here on a run may exist and will be stopped when the job is over.
      return store.update(job.id(), JobState.LAUNCHING, JobUpdate.none().runRequested(now));
    }
    if (timedOut(job, now)) {
      return moved(store.transition(job.id(), JobState.LAUNCHING, JobState.TIMED_OUT, timeoutReason(job), JobUpdate.none()));
    }
    TeeBackend.Run run = platform.tee().launch(new TeeBackend.LaunchRequest(job.id(), job.imageReference().orElseThrow(),
        job.imageDigest().orElseThrow(), LaunchEnvironment.of(job, datasets, audience, job.timeout()), false,
        job.timeout()));
    Instant launchedAt = job.run().launchedAt().orElse(now);
    boolean started = moved(store.transition(job.id(), JobState.LAUNCHING, JobState.RUNNING, "running in " + run.where(),
        JobUpdate.none().runStarted(run.where(), launchedAt, job.run().launches() + 1)));
    if (!started) {
      log.accept("job " + job.id() + ": changed while launching; its run will be stopped");
    }
    return true;
  }

  private boolean watch(Job job) throws IOException {
    Instant now = clock.instant();
    if (timedOut(job, now)) {
      return moved(store.transition(job.id(), JobState.RUNNING, JobState.TIMED_OUT, timeoutReason(job), JobUpdate.none()));
    }
    TeeBackend.RunState state = platform.tee().state(job.id());
    switch (state) {
      case EXITED:
        return seal(job);
      case LOST:
        if (reports.hasResult(job.id())) {
          return seal(job); // the run ended and uploaded its record before it was lost
        }
        return relaunch(job);
      default:
        return false;
    }
  }

  private boolean relaunch(Job job) throws IOException {
    platform.tee().stop(job.id());
    if (job.run().launches() >= settings.maxLaunches()) {
      return moved(store.transition(job.id(), JobState.RUNNING, JobState.FAILED, RunReasons.LOST,
          JobUpdate.none().runStopped(clock.instant())));
    }
    for (String key : storage.list(JobObjects.result(job.id()))) {
      storage.delete(key); // what a lost run left half-written
    }
    return moved(store.transition(job.id(), JobState.RUNNING, JobState.LAUNCHING,
        "the run was lost without a result; launching again", JobUpdate.none().runStopped(clock.instant())));
  }

  private boolean seal(Job job) throws IOException {
    if (!reports.hasResult(job.id())) {
      return moved(store.transition(job.id(), JobState.RUNNING, JobState.FAILED, RunReasons.NO_RECORD, JobUpdate.none()));
    }
    JobReports.Sealed sealed;
    try {
      sealed = reports.seal(job.id(), job.imageDigest().orElseThrow());
    } catch (AttestationException e) {
      if (e.code().equals("jwks_unavailable")) {
        throw new IOException("could not archive the issuer's keys: " + e.getMessage(), e);
      }
      // The message is not told: the upload's content is the run's doing (the operator's log gets the code).
      log.accept("job " + job.id() + ": its result holds no readable attestation report [" + e.code() + "]");
      return moved(store.transition(job.id(), JobState.RUNNING, JobState.FAILED, RunReasons.NO_REPORT, JobUpdate.none()));
    }
    JobState next;
    String reason;
    if (!sealed.trusted()) {
      next = JobState.FAILED;
      reason = RunReasons.REPORT_REFUSED;
      // The checks' names only: their reasons may name outputs. The providers read them through the verification.
      log.accept("job " + job.id() + ": its report was refused; failed checks: " + String.join(", ",
          sealed.verification().failures().stream().map(c -> c.name().code()).toList())
          + (sealed.problems().isEmpty() ? "" : "; " + String.join("; ", sealed.problems())));
    } else {
      next = switch (sealed.manifest().outcome().status()) {
        case SUCCEEDED -> JobState.FINISHED;
        case FAILED -> JobState.FAILED;
        case TIMED_OUT -> JobState.TIMED_OUT;
      };
      reason = switch (next) {
        case FINISHED -> RunReasons.FINISHED;
        case TIMED_OUT -> RunReasons.NOTEBOOK_TIMED_OUT;
        default -> RunReasons.NOTEBOOK_FAILED;
      };
    }
    if (next == JobState.FINISHED) {
      outputChecks.of(job); // before anyone may read the outputs, so the reviewer sees the checks beside them
    }
    return moved(store.transition(job.id(), JobState.RUNNING, next, reason, JobUpdate.none().hasReport(true)));
  }

  private boolean stopRun(Job job) throws IOException {
    platform.tee().stop(job.id());
    // The run is over: its image's grants end with it (what the bridge cannot remove, the provider is told of).
    for (String left : platform.grants().revoke(grantRequest(job))) {
      log.accept("job " + job.id() + ": its run is over; remove the data grant: " + left);
    }
    store.updateAnyState(job.id(), JobUpdate.none().runStopped(clock.instant()));
    log.accept("job " + job.id() + ": its run" + job.run().where().map(w -> " (" + w + ")").orElse("") + " is stopped");
    return true;
  }

  private static boolean timedOut(Job job, Instant now) {
    Optional<Instant> since = job.run().launchedAt().or(job.run()::requestedAt);
    return since.isPresent() && now.isAfter(since.get().plus(job.timeout()));
  }

  private static String timeoutReason(Job job) {
    Duration limit = job.timeout();
    String human = limit.toHours() > 0 && limit.toMinutesPart() == 0 ? limit.toHours() + " h"
        : limit.toMinutes() > 0 ? limit.toMinutes() + " min"
        : limit.toSeconds() + " s";
    return "ran longer than the job's time limit of " + human;
  }

  private void failed(Job job, String step, Exception e) {
    metrics.stepFailed(step);
    int failures = job.stepFailures() + 1;
    // Once the run has started, a failure may be about its result (a file the notebook named): only its kind is told.
    boolean afterRun = step.equals("watch");
    String why = afterRun ? "reading the run's result failed (" + e.getClass().getSimpleName() + ")"
        : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    try {
      if (failures >= settings.maxStepFailures() && job.state().canMoveTo(JobState.FAILED)) {
        store.transition(job.id(), job.state(), JobState.FAILED, afterRun ? RunReasons.GAVE_UP
            : "gave up after " + failures + " failed attempts to " + step + ": " + why, JobUpdate.none());
        return;
      }
      store.update(job.id(), job.state(), JobUpdate.none().stepFailures(failures));
      store.note(job.id(), step + " failed (attempt " + failures + "), retrying: " + why);
    } catch (RuntimeException stored) {
      log.accept("job " + job.id() + ": " + step + " failed (" + why + ") and so did recording it: " + stored.getMessage());
    }
    long backoff = Math.min(60_000, settings.retryBackoff().toMillis() << Math.min(failures - 1, 16));
    notBefore.put(job.id(), clock.instant().plusMillis(backoff));
    log.accept("job " + job.id() + ": " + step + " failed (attempt " + failures + "): " + why);
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the loop and waits up to {@code grace} for steps under way; an unfinished step is retried on the next start. */
  public void close(Duration grace) {
    closed = true;
    wake();
    workers.shutdown();
    try {
      workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
      Thread running = loop;
      if (running != null) {
        running.join(grace.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workers.shutdownNow();
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }
}
