package dev.cleanroom.bridge.service;

import dev.cleanroom.bridge.auth.Caller;
import dev.cleanroom.bridge.backend.ObjectStorage;
import dev.cleanroom.bridge.datasets.CatalogDataset;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import dev.cleanroom.bridge.job.Job;
import dev.cleanroom.bridge.job.JobEvent;
import dev.cleanroom.bridge.job.JobState;
import dev.cleanroom.bridge.libraries.JobLibraries;
import dev.cleanroom.bridge.report.JobReports;
import dev.cleanroom.bridge.service.impl.JobServiceImpl;
import dev.cleanroom.bridge.store.AuditEntry;
import dev.cleanroom.bridge.store.JobStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;

/**
 * What the job bridge does for an authenticated caller, without HTTP: the HTTP layer only maps requests to
 * these calls and results to JSON.
 *
 * <p>Every call decides who may do what (a scientist sees their own jobs, a provider the jobs reading their
 * datasets, an auditor every job's report and timeline) and fails with a {@link dev.cleanroom.bridge.BridgeException}
 * whose code and status the API answers: 403 {@code not_permitted} for a caller whose role may not make the
 * call at all, 404 {@code unknown_job} for a job the caller may not see (whether or not it exists). Every
 * action, and every refusal of one, goes to the audit log. Calls run on a worker pool, never on an event loop.
 */
public interface JobService {
  int DEFAULT_WORKERS = 16;

  /**
   * @param libraries the deployment's view of notebooks' own libraries ({@code %maven}): the review's list and the
   *     policies' rule on them
   */
  static JobService create(Vertx vertx, JobStore store, ObjectStorage storage, DatasetCatalog datasets,
      JobReports reports, Limits limits, Runnable onChange, JobLibraries libraries) {
    return new JobServiceImpl(vertx, store, storage, datasets, reports, limits, onChange, DEFAULT_WORKERS, libraries);
  }

  /** Stores a notebook as a job in SUBMITTED, to wait for the approval of each dataset's provider. */
  Future<Job> submit(Caller caller, Submission submission);

  Future<List<Job>> list(Caller caller, Optional<JobState> state, int limit);

  Future<Job> get(Caller caller, String jobId);

  /** The job's platform log: state changes, build steps, decisions, verification; never the notebook's own output. */
  Future<List<JobEvent>> timeline(Caller caller, String jobId);

  Future<Job> cancel(Caller caller, String jobId, String comment);

  Future<Job> approve(Caller caller, String jobId, String comment);

  Future<Job> reject(Caller caller, String jobId, String comment);

  Future<Job> release(Caller caller, String jobId, String comment);

  Future<Job> withhold(Caller caller, String jobId, String comment);

  /** The job's outputs: for its providers once it has a report, for its owner once released. */
  Future<List<OutputFile>> outputs(Caller caller, String jobId);

  /**
   * One output: for a provider as attested, or (with {@code asReleased}) as the scientist receives it; for the scientist
   * always the latter: a derivative where a disclosure rule changed it, nothing where one withholds it.
   */
  Future<Download> output(Caller caller, String jobId, String path, boolean asReleased);

  /** The disclosure checks of the job's outputs ({@code checks.json}); same rules as the outputs. */
  Future<Download> checks(Caller caller, String jobId);

  /**
   * Comments on the job between its scientist and its providers (and reviewers): on the job, or on one of its outputs
   * for those who may read them ({@link Airlock#mayReadResults}).
   */
  Future<dev.cleanroom.bridge.job.Comment> comment(Caller caller, String jobId, Optional<String> output, String body);

  /** The job's comments the caller may read: those on the job, and those on its outputs once she may read them. */
  Future<List<dev.cleanroom.bridge.job.Comment>> comments(Caller caller, String jobId);

  /** The submitted notebook, as sent. */
  Future<Download> notebook(Caller caller, String jobId);

  /**
   * The submitted notebook's code cells as JShell parses them, with every spot that reads otherwise flagged, and the
   * libraries of its own its image will carry.
   */
  Future<NotebookReview> review(Caller caller, String jobId);

  /** {@code report.json}: for the owner, the providers, and every auditor. */
  Future<Download> report(Caller caller, String jobId);

  /** Verifies the job's stored report against its stored files. */
  Future<VerificationResult> verify(Caller caller, String jobId);

  /** Verifies an uploaded report.json, against the stored files of its job when this bridge holds it. */
  Future<VerificationResult> verifyUpload(Caller caller, byte[] report);

  /** The audit log, newest first: all of it for auditors, the entries about their datasets' jobs for providers. */
  Future<List<AuditEntry>> audit(Caller caller, Optional<String> jobId, int limit);

  /** How many jobs are in each state; for health and metrics (no caller: these are counts, not jobs). */
  Future<java.util.Map<JobState, Long>> jobCounts();

  /** The datasets the caller may submit jobs on, and those they provide. */
  Future<List<CatalogDataset>> datasets(Caller caller);

  Future<Void> close();
}
