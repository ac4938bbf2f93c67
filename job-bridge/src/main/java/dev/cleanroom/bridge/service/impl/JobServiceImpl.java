package dev.cleanroom.bridge.service.impl;

import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.bridge.BridgeException;
import dev.cleanroom.bridge.auth.Caller;
import dev.cleanroom.bridge.auth.Role;
import dev.cleanroom.bridge.backend.JobObjects;
import dev.cleanroom.bridge.backend.ObjectStorage;
import dev.cleanroom.bridge.datasets.CatalogDataset;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import dev.cleanroom.bridge.disclosure.ChecksReport;
import dev.cleanroom.bridge.disclosure.OutputChecks;
import dev.cleanroom.bridge.job.Comment;
import dev.cleanroom.bridge.job.Decision;
import dev.cleanroom.bridge.job.Job;
import dev.cleanroom.bridge.job.JobDataset;
import dev.cleanroom.bridge.job.JobEvent;
import dev.cleanroom.bridge.job.JobId;
import dev.cleanroom.bridge.job.JobState;
import dev.cleanroom.bridge.job.Notebook;
import dev.cleanroom.bridge.libraries.JobLibraries;
import dev.cleanroom.bridge.report.JobReports;
import dev.cleanroom.bridge.service.Airlock;
import dev.cleanroom.bridge.service.Download;
import dev.cleanroom.bridge.service.JobService;
import dev.cleanroom.bridge.service.Limits;
import dev.cleanroom.bridge.service.NotebookReview;
import dev.cleanroom.bridge.service.OutputFile;
import dev.cleanroom.bridge.service.Submission;
import dev.cleanroom.bridge.service.VerificationResult;
import dev.cleanroom.bridge.store.AuditEntry;
import dev.cleanroom.bridge.store.JobQuery;
import dev.cleanroom.bridge.store.JobStore;
import dev.cleanroom.bridge.store.NewJob;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.OutputRules;
import dev.cleanroom.kernel.review.CodeReview;
import dev.cleanroom.kernel.review.Finding;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The access rules of the job bridge and the calls they guard, on a worker pool of their own (JDBC and storage
 * never run on an event loop).
 *
 * <p>Order of checks, the same in every call: the caller's role may make this call at all (else 403
 * {@code not_permitted}); the job exists and the caller may see it (else 404 {@code unknown_job}, so nobody
 * learns which ids exist); then what the call itself requires (state, release).
 */
public final class JobServiceImpl implements JobService {
  private static final int MAX_DATASETS = 16;
  /** Outputs are served from memory; a larger output is for the provider to fetch from storage. */
  private static final long MAX_DOWNLOAD_BYTES = 512L << 20;

  private final JobStore store;
  private final ObjectStorage storage;
  private final DatasetCatalog catalog;
  private final JobReports reports;
  private final Limits limits;
  private final Runnable onChange;
  private final WorkerExecutor workers;
  private final OutputChecks outputChecks;
  private final JobLibraries libraries;

  public JobServiceImpl(Vertx vertx, JobStore store, ObjectStorage storage, DatasetCatalog catalog, JobReports reports,
      Limits limits, Runnable onChange, int workers, JobLibraries libraries) {
    this.libraries = libraries;
    this.store = store;
    this.storage = storage;
    this.catalog = catalog;
    this.reports = reports;
    this.limits = limits;
    this.onChange = onChange;
    this.workers = vertx.createSharedWorkerExecutor("job-service", workers);
    this.outputChecks = new OutputChecks(storage, reports, catalog, store);
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return workers.executeBlocking(work, false);
  }

  /** Runs an action; a refusal is written to the audit log (a success is written by the action itself). */
  private <T> Future<T> audited(Caller caller, String action, Optional<String> jobId, String detail, Callable<T> work) {
    return blocking(() -> {
      try {
        return work.call();
      } catch (BridgeException refused) {
        if (!refused.code().equals("database_unavailable")) {
          store.audit(caller.name(), action, jobId.filter(JobId::isValid), refused.code(), detail);
        }
        throw refused;
      }
    });
  }

  // ---- who may do what ----

  private static void requireAnyRole(Caller caller, Role... roles) {
    for (Role role : roles) {
      if (caller.is(role)) {
        return;
      }
    }
    List<String> names = java.util.Arrays.stream(roles).map(Role::code).toList();
    throw BridgeException.forbidden("This needs the role " + String.join(" or ", names) + "; " + caller.name()
        + (caller.roles().isEmpty() ? " has no role in the clean room" : " is " + roles(caller))
        + ". Ask the clean room's administrator for the role if you need it.");
  }

  private static String roles(Caller caller) {
    return String.join(", ", caller.roles().stream().map(Role::code).sorted().toList());
  }

  private static boolean owns(Caller caller, Job job) {
    return Airlock.owns(caller, job);
  }

  private static boolean provides(Caller caller, Job job) {
    return Airlock.provides(caller, job);
  }

  private static boolean maySee(Caller caller, Job job) {
    return owns(caller, job) || provides(caller, job) || caller.is(Role.AUDITOR);
  }

  /** The job, if the caller may see it; 404 otherwise, whether or not it exists. */
  private Job visible(Caller caller, String jobId) {
    if (!JobId.isValid(jobId)) {
      throw BridgeException.notFound(jobId);
    }
    return store.find(jobId).filter(job -> maySee(caller, job)).orElseThrow(() -> BridgeException.notFound(jobId));
  }

  private static final Role[] ANY_ROLE = Role.values();

  // ---- submission ----

  @Override
  public Future<Job> submit(Caller caller, Submission submission) {
    String detail = "name=" + submission.name() + " datasets=" + String.join(",", submission.datasets());
    return audited(caller, "submit", Optional.empty(), detail, () -> {
      requireAnyRole(caller, Role.SCIENTIST);
      List<JobDataset> datasets = datasets(caller, submission.datasets());
      Airlock.requireIndependentReview(caller.name(), datasets);
      Notebook notebook = Notebook.parse(submission.notebook(), limits.maxNotebookBytes());
      refuseHiddenCode(datasets, notebook);
      refuseLibraries(datasets, notebook);
      String id = JobId.generate();
      String key = JobObjects.notebook(id);
      storage.put(key, new ByteArrayInputStream(notebook.bytes()), notebook.size());
      try {
        Job job = store.submit(new NewJob(id, caller.name(), submission.name(), datasets, notebook.sha256().hex(),
            notebook.size(), limits.jobTimeout()), limits.maxJobsInFlight());
        onChange.run();
        return job;
      } catch (RuntimeException e) {
        storage.delete(key); // a refused submission leaves nothing behind
        throw e;
      }
    });
  }

  private List<JobDataset> datasets(Caller caller, List<String> names) {
    Set<String> unique = new LinkedHashSet<>(names);
    if (unique.isEmpty()) {
      throw new BridgeException("invalid_request", 400, "Name the datasets the notebook reads: ?dataset=insurance");
    }
    if (unique.size() > MAX_DATASETS) {
      throw new BridgeException("invalid_request", 400, "A job reads at most " + MAX_DATASETS + " datasets");
    }
    List<JobDataset> datasets = new ArrayList<>();
    for (String name : unique) {
      CatalogDataset dataset = catalog.find(name).orElseThrow(() -> new BridgeException("unknown_dataset", 400,
          "No dataset '" + printable(name) + "' in this clean room; the datasets are "
              + String.join(", ", catalog.all().stream().map(CatalogDataset::name).toList())));
      if (!dataset.policy().admits(caller.name())) {
        throw BridgeException.forbidden("Dataset '" + name + "' is not open to " + caller.name() + "; ask its provider ("
            + dataset.owner() + ") to add you to its policy");
      }
      OutputRules rules = dataset.policy().outputRules();
      datasets.add(new JobDataset(name, dataset.owner(), dataset.policy().outputsNeedRelease(), rules.approvers(),
          rules.reviewers()));
    }
    return datasets;
  }

  /** How many spots a refusal names; the rest are counted. */
  private static final int NAMED_SPOTS = 10;

  /** Refuses, before anything is stored, a notebook with hidden code on a dataset whose policy refuses it. */
  private void refuseHiddenCode(List<JobDataset> datasets, Notebook notebook) {
    List<Finding> findings = notebook.findings();
    List<String> refusing = datasets.stream().map(JobDataset::dataset)
        .filter(name -> catalog.find(name).map(d -> d.policy().refusesHiddenCode()).orElse(false)).toList();
    if (findings.isEmpty() || refusing.isEmpty()) {
      return;
    }
    StringBuilder spots = new StringBuilder();
    findings.stream().limit(NAMED_SPOTS).forEach(f -> spots.append(spots.isEmpty() ? "" : "; ").append(f.describe()));
    if (findings.size() > NAMED_SPOTS) {
      spots.append("; and ").append(findings.size() - NAMED_SPOTS).append(" more");
    }
    throw new BridgeException("hidden_code_refused", 422, "The policy of dataset " + String.join(" and ", refusing)
        + " refuses notebooks whose code JShell runs otherwise than it reads (Unicode escapes, bidirectional controls,"
        + " invisible characters); this one has " + findings.size() + (findings.size() == 1 ? " such spot: " : " such spots: ")
        + spots + ". Write each character as itself (a notebook is UTF-8), delete the invisible ones, and submit again.");
  }

  /** Refuses, before anything is stored, a notebook whose own libraries a dataset's policy forbids. */
  private void refuseLibraries(List<JobDataset> datasets, Notebook notebook) {
    Map<String, DatasetPolicy> policies = new LinkedHashMap<>();
    datasets.forEach(d -> catalog.find(d.dataset()).ifPresent(c -> policies.put(d.dataset(), c.policy())));
    JobLibraries.requireAllowed(JobLibraries.lock(notebook.bytes()), policies);
  }

  private static String printable(String text) {
    String cut = text.length() > 64 ? text.substring(0, 64) + "…" : text;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }

  // ---- reading jobs ----

  @Override
  public Future<List<Job>> list(Caller caller, Optional<JobState> state, int limit) {
    return blocking(() -> {
      requireAnyRole(caller, ANY_ROLE);
      JobQuery query = caller.is(Role.AUDITOR)
          ? JobQuery.everyone(state, limit)
          : JobQuery.visibleTo(Optional.of(caller.name()).filter(n -> caller.is(Role.SCIENTIST)),
              Optional.of(caller.name()).filter(n -> caller.is(Role.PROVIDER)), state, limit);
      return store.list(query);
    });
  }

  @Override
  public Future<Job> get(Caller caller, String jobId) {
    return audited(caller, "get", Optional.of(jobId), "", () -> {
      requireAnyRole(caller, ANY_ROLE);
      return visible(caller, jobId);
    });
  }

  @Override
  public Future<List<JobEvent>> timeline(Caller caller, String jobId) {
    return audited(caller, "timeline", Optional.of(jobId), "", () -> {
      requireAnyRole(caller, ANY_ROLE);
      visible(caller, jobId);
      return store.events(jobId);
    });
  }

  // ---- changing jobs ----

  @Override
  public Future<Job> cancel(Caller caller, String jobId, String comment) {
    return audited(caller, "cancel", Optional.of(jobId), comment, () -> {
      requireAnyRole(caller, Role.SCIENTIST);
      Job job = visible(caller, jobId);
      if (!owns(caller, job)) {
        throw BridgeException.forbidden("Only the owner of job " + jobId + " (" + job.owner() + ") may cancel it");
      }
      Job cancelled = store.cancel(jobId, caller.name(), comment);
      onChange.run();
      return cancelled;
    });
  }

  @Override
  public Future<Job> approve(Caller caller, String jobId, String comment) {
    return decide(caller, jobId, Decision.Kind.APPROVE, comment);
  }

  @Override
  public Future<Job> reject(Caller caller, String jobId, String comment) {
    return decide(caller, jobId, Decision.Kind.REJECT, comment);
  }

  @Override
  public Future<Job> release(Caller caller, String jobId, String comment) {
    return decide(caller, jobId, Decision.Kind.RELEASE, comment);
  }

  @Override
  public Future<Job> withhold(Caller caller, String jobId, String comment) {
    return decide(caller, jobId, Decision.Kind.WITHHOLD, comment);
  }

  private Future<Job> decide(Caller caller, String jobId, Decision.Kind kind, String comment) {
    return audited(caller, kind.code(), Optional.of(jobId), comment, () -> {
      requireAnyRole(caller, Role.PROVIDER);
      Job job = visible(caller, jobId);
      if (!provides(caller, job)) {
        throw BridgeException.forbidden(caller.name() + " provides none of the datasets job " + jobId + " reads");
      }
      // The checks are run before the decision (a job that finished before them gets them now), so that the release
      // is bound to what the reviewer was shown.
      Optional<ChecksReport> checks = kind == Decision.Kind.RELEASE && job.hasReport()
          ? Optional.of(outputChecks.of(job)) : Optional.empty();
      Job decided = store.decide(jobId, kind, caller.name(), comment);
      checks.ifPresent(c -> store.audit(caller.name(), "release_checks", Optional.of(jobId), "ok",
          "released with checks.json sha256=" + c.sha256()));
      onChange.run();
      return decided;
    });
  }

  // ---- outputs and reports ----

  /** The job, if the caller may read its outputs now ({@link Airlock#mayReadResults}). */
  private Job outputsOf(Caller caller, String jobId) {
    requireAnyRole(caller, Role.SCIENTIST, Role.PROVIDER);
    Job job = visible(caller, jobId);
    if (!owns(caller, job) && !provides(caller, job)) {
      throw BridgeException.forbidden("Outputs are for the job's owner and its datasets' providers");
    }
    requireResults(caller, job, "outputs");
    return job;
  }

  /**
   * Refuses a caller who may not read the job's results yet ({@link Airlock#mayReadResults}), saying only what the
   * job's state and its providers' decisions already say.
   */
  private static void requireResults(Caller caller, Job job, String what) {
    if (Airlock.mayReadResults(caller, job)) {
      return;
    }
    if (provides(caller, job)) {
      if (!job.hasReport()) {
        throw new BridgeException(what.equals("outputs") ? "no_outputs" : "no_report", what.equals("outputs") ? 409 : 404,
            "Job " + job.id() + " has no " + what + " yet (it is " + job.state() + "); they exist once the run in the"
                + " TEE has ended");
      }
      throw new BridgeException("outputs_not_released", 403, "The " + what + " of job " + job.id() + " may derive from"
          + " other providers' data: you may read them once " + String.join(" and ", Airlock.othersPending(caller, job))
          + " released them" + (job.state() == JobState.FINISHED ? "" : ", which they cannot now (the job is "
              + job.state() + ")"));
    }
    throw new BridgeException("outputs_not_released", 403, "The " + what + " of job " + job.id() + " are in the airlock"
        + (job.state() == JobState.FINISHED ? " until " + String.join(" and ", job.releasesPending()) + " release them"
            : "; they are released only after the job FINISHED (it is " + job.state() + ")"));
  }

  @Override
  public Future<List<OutputFile>> outputs(Caller caller, String jobId) {
    return audited(caller, "list_outputs", Optional.of(jobId), "", () -> {
      Job job = outputsOf(caller, jobId);
      JobManifest manifest = manifest(jobId);
      ChecksReport checks = outputChecks.of(job);
      List<OutputFile> files = new ArrayList<>();
      for (var output : manifest.outputs().entrySet()) {
        String path = output.getKey();
        if (provides(caller, job)) {
          files.add(new OutputFile(path, storage.size(JobObjects.resultFile(jobId, path)), output.getValue().hex()));
        } else if (checks.released(path).filter("derivative"::equals).isPresent()) {
          files.add(new OutputFile(path, storage.size(OutputChecks.derivativeKey(jobId, path)),
              checks.releasedSha256(path).orElseThrow()));
        } else if (checks.released(path).filter("attested"::equals).isPresent()) {
          files.add(new OutputFile(path, storage.size(JobObjects.resultFile(jobId, path)), output.getValue().hex()));
        }
      }
      return files;
    });
  }

  @Override
  public Future<Download> output(Caller caller, String jobId, String path, boolean asReleased) {
    // The audit log names no output: auditors read it before the outputs are released, and a name may carry data.
    return audited(caller, "download_output", Optional.of(jobId), "", () -> {
      Job job = outputsOf(caller, jobId);
      Sha256 expected = manifest(jobId).outputs().get(path);
      if (expected == null) {
        throw new BridgeException("unknown_output", 404, "Job " + jobId + " has no output of that name; list them with"
            + " GET /v1/jobs/" + jobId + "/outputs");
      }
      String key = JobObjects.resultFile(jobId, path);
      if (asReleased || !provides(caller, job)) {
        // What the scientist receives: never an output the checks withhold, a rule's derivative in place of the original.
        String released = outputChecks.of(job).released(path).orElse("withheld");
        if (released.equals("withheld")) {
          throw new BridgeException("output_withheld", 403, "The output checks withhold this output of job " + jobId
              + " (a file type or a table size the policy does not allow); read why in GET /v1/jobs/" + jobId + "/checks");
        }
        key = released.equals("derivative") ? OutputChecks.derivativeKey(jobId, path) : key;
      }
      byte[] bytes = read(key);
      store.audit(caller.name(), "download_output", Optional.of(jobId), "ok", "");
      return new Download(path.substring(path.lastIndexOf('/') + 1), "application/octet-stream", bytes);
    });
  }

  @Override
  public Future<Download> checks(Caller caller, String jobId) {
    return audited(caller, "download_checks", Optional.of(jobId), "", () -> {
      ChecksReport checks = outputChecks.of(outputsOf(caller, jobId));
      store.audit(caller.name(), "download_checks", Optional.of(jobId), "ok", "");
      return new Download(OutputChecks.REPORT, "application/json", checks.bytes());
    });
  }

  @Override
  public Future<Comment> comment(Caller caller, String jobId, Optional<String> output, String body) {
    return audited(caller, "comment", Optional.of(jobId), "", () -> {
      requireAnyRole(caller, Role.SCIENTIST, Role.PROVIDER);
      Job job = visible(caller, jobId);
      if (!owns(caller, job) && !provides(caller, job)) {
        throw BridgeException.forbidden("Comments are between the job's scientist (" + job.owner() + ") and its"
            + " datasets' providers");
      }
      if (body.isBlank() || body.length() > Comment.MAX_LENGTH) {
        throw new BridgeException("invalid_request", 400, "A comment is 1 to " + Comment.MAX_LENGTH + " characters");
      }
      if (output.isPresent()) {
        // A comment on an output names it: only who may read the outputs comments on them.
        requireResults(caller, job, "outputs");
        if (!manifest(jobId).outputs().containsKey(output.get())) {
          throw new BridgeException("unknown_output", 404, "Job " + jobId + " has no output of that name; list them with"
              + " GET /v1/jobs/" + jobId + "/outputs");
        }
      }
      Comment comment = store.comment(jobId, caller.name(), output, body);
      onChange.run();
      return comment;
    });
  }

  @Override
  public Future<List<Comment>> comments(Caller caller, String jobId) {
    return audited(caller, "comments", Optional.of(jobId), "", () -> {
      requireAnyRole(caller, ANY_ROLE);
      Job job = visible(caller, jobId);
      boolean readsOutputs = (owns(caller, job) || provides(caller, job)) && Airlock.mayReadResults(caller, job);
      return store.comments(jobId).stream().filter(c -> c.output().isEmpty() || readsOutputs).toList();
    });
  }

  @Override
  public Future<Download> notebook(Caller caller, String jobId) {
    return audited(caller, "download_notebook", Optional.of(jobId), "", () -> {
      requireAnyRole(caller, ANY_ROLE);
      Job job = visible(caller, jobId);
      byte[] bytes = read(JobObjects.notebook(jobId));
      store.audit(caller.name(), "download_notebook", Optional.of(jobId), "ok", "");
      return new Download(job.name(), "application/x-ipynb+json", bytes);
    });
  }

  @Override
  public Future<NotebookReview> review(Caller caller, String jobId) {
    return audited(caller, "review_notebook", Optional.of(jobId), "", () -> {
      requireAnyRole(caller, ANY_ROLE);
      visible(caller, jobId);
      // Checked against the limit when it was submitted; a limit lowered since must not hide a stored notebook.
      Notebook notebook = Notebook.parse(read(JobObjects.notebook(jobId)), Long.MAX_VALUE);
      NotebookReview review = new NotebookReview(notebook.review(),
          libraries.review(JobLibraries.lock(notebook.bytes())));
      store.audit(caller.name(), "review_notebook", Optional.of(jobId), "ok", "");
      return review;
    });
  }

  @Override
  public Future<Download> report(Caller caller, String jobId) {
    return audited(caller, "download_report", Optional.of(jobId), "", () -> {
      requireAnyRole(caller, ANY_ROLE);
      requireResults(caller, visible(caller, jobId), "report");
      byte[] bytes = read(JobObjects.report(jobId));
      store.audit(caller.name(), "download_report", Optional.of(jobId), "ok", "");
      return new Download("report.json", "application/json", bytes);
    });
  }

  @Override
  public Future<VerificationResult> verify(Caller caller, String jobId) {
    return audited(caller, "verify", Optional.of(jobId), "", () -> {
      requireAnyRole(caller, ANY_ROLE);
      requireResults(caller, visible(caller, jobId), "report");
      return reports.verifyStored(jobId);
    });
  }

  @Override
  public Future<VerificationResult> verifyUpload(Caller caller, byte[] report) {
    return audited(caller, "verify_upload", Optional.empty(), "", () -> {
      requireAnyRole(caller, ANY_ROLE);
      try {
        // Compared with the stored files only for a caller who may read them: else the answer would say whether a
        // guessed output name or hash is right.
        return reports.verifyUploaded(report, id -> store.find(id)
            .filter(job -> maySee(caller, job) && Airlock.mayReadResults(caller, job)).isPresent(),
            id -> store.find(id).flatMap(Job::imageDigest));
      } catch (AttestationException e) {
        throw new BridgeException(e.code(), 400, "Not an attestation report: " + e.getMessage());
      }
    });
  }

  private JobManifest manifest(String jobId) throws IOException {
    return reports.manifest(jobId).orElseThrow(() -> new BridgeException("no_report", 404,
        "Job " + jobId + " has no attestation report"));
  }

  private byte[] read(String key) throws IOException {
    if (storage.size(key) > MAX_DOWNLOAD_BYTES) {
      throw new BridgeException("too_large_to_serve", 413, "This file is larger than " + (MAX_DOWNLOAD_BYTES >> 20)
          + " MiB; the bridge serves it from storage only to the operator");
    }
    try (InputStream in = storage.get(key)) {
      return in.readAllBytes();
    } catch (java.nio.file.NoSuchFileException e) {
      throw new BridgeException("missing_object", 500, "The bridge lost " + key + " from its storage");
    }
  }

  // ---- audit and datasets ----

  @Override
  public Future<List<AuditEntry>> audit(Caller caller, Optional<String> jobId, int limit) {
    return blocking(() -> {
      requireAnyRole(caller, Role.AUDITOR, Role.PROVIDER);
      return store.auditLog(caller.is(Role.AUDITOR) ? Optional.empty() : Optional.of(caller.name()), jobId, limit);
    });
  }

  @Override
  public Future<java.util.Map<JobState, Long>> jobCounts() {
    return blocking(store::countByState);
  }

  @Override
  public Future<List<CatalogDataset>> datasets(Caller caller) {
    return blocking(() -> {
      requireAnyRole(caller, ANY_ROLE);
      return catalog.all().stream()
          .filter(d -> caller.is(Role.AUDITOR)
              || caller.is(Role.SCIENTIST) && d.policy().admits(caller.name())
              || caller.is(Role.PROVIDER) && d.owner().equals(caller.name()))
          .toList();
    });
  }

  @Override
  public Future<Void> close() {
    return workers.close();
  }
}
