package dev.cleanroom.bridge.service;

import dev.cleanroom.bridge.BridgeException;
import dev.cleanroom.bridge.auth.Caller;
import dev.cleanroom.bridge.auth.Role;
import dev.cleanroom.bridge.job.Job;
import dev.cleanroom.bridge.job.JobDataset;
import dev.cleanroom.bridge.job.JobState;
import java.util.List;
import java.util.Set;

/**
 * Who may read what a job's run in the TEE returned: its attestation report (manifest and token), the verification of
 * it, and its outputs. All of it is derived from the real rows: the manifest names every output and hashes it.
 *
 * <p>Invariant: the job's scientist and the auditors read it only once the job is RELEASED, that is when every provider
 * whose policy holds outputs has released them. A provider reads it once the run left a report and every other such
 * provider of the job has released it: in a job reading the datasets of A and B, what came out may derive from B's
 * rows, so A sees it only when B lets it out, and the provider who releases last is the one who reviews it. (A job
 * with one provider is reviewed by that provider at once.) Before that, a caller learns the job's state and a reason
 * from a fixed list only.
 *
 * <p>A dataset's reviewers ({@code outputs.reviewers} of its policy) count as its provider here: they read and release
 * its outputs; how many different people must release them is the policy's {@code outputs.approvers}
 * ({@link Job#releasesPending}).
 *
 * <p>The job's submitter never reviews it, whatever other roles she holds: she reads its results only once it is
 * RELEASED, and a job in which her own release would be the review of another provider's data is refused at
 * submission ({@link #requireIndependentReview}), so no provider's release ever leaves the review to the submitter.
 */
public final class Airlock {
  private Airlock() {}

  /** Whether {@code caller} may read the job's report, its verification and (with a role that reads outputs) its outputs. */
  public static boolean mayReadResults(Caller caller, Job job) {
    if (!job.hasReport()) {
      return false;
    }
    if (!job.owner().equals(caller.name()) && provides(caller, job) && othersPending(caller, job).isEmpty()) {
      return true;
    }
    return (owns(caller, job) || provides(caller, job) || caller.is(Role.AUDITOR)) && job.state() == JobState.RELEASED;
  }

  /**
   * Refuses a job whose submitter provides one of its datasets whose outputs need release while it also reads another
   * provider's data: her release could be the last one and so the only review of what came out of the other's rows.
   * (A job on her own datasets alone is hers to release.) The other way, refusing her release, would leave such a job
   * in the airlock forever; refusing it before it runs costs nobody anything.
   */
  public static void requireIndependentReview(String submitter, List<JobDataset> datasets) {
    List<String> own = datasets.stream().filter(d -> d.provider().equals(submitter) && d.releaseRequired())
        .map(JobDataset::dataset).toList();
    List<String> others = datasets.stream().filter(d -> !d.provider().equals(submitter))
        .map(d -> d.dataset() + " (" + d.provider() + ")").toList();
    if (!own.isEmpty() && !others.isEmpty()) {
      throw BridgeException.forbidden(submitter + " provides " + String.join(", ", own) + ", whose outputs wait for "
          + submitter + "'s release, and the job also reads " + String.join(", ", others) + ": the submitter's release"
          + " would then review what came out of another provider's data. Submit a job that reads either your own"
          + " datasets or other providers' ones, not both.");
    }
  }

  /**
   * The providers whose release the job's results still wait for, of the datasets the caller may not release herself
   * (as their provider or one of their reviewers).
   */
  public static Set<String> othersPending(Caller caller, Job job) {
    Set<String> pending = job.releasesPending();
    job.datasets().stream().filter(d -> d.releasers().contains(caller.name())).forEach(d -> pending.remove(d.provider()));
    return pending;
  }

  public static boolean owns(Caller caller, Job job) {
    return caller.is(Role.SCIENTIST) && job.owner().equals(caller.name());
  }

  /** Whether the caller provides one of the job's datasets, or reviews its outputs for one ({@code outputs.reviewers}). */
  public static boolean provides(Caller caller, Job job) {
    return caller.is(Role.PROVIDER) && job.mayRelease(caller.name());
  }
}
