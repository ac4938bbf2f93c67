package dev.cleanroom.bridge.service;

import dev.cleanroom.bridge.auth.Caller;
import dev.cleanroom.bridge.auth.Role;
import dev.cleanroom.bridge.job.Job;
import dev.cleanroom.bridge.job.JobState;
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
 */
public final class Airlock {
  private Airlock() {}

  /** Whether {@code caller} may read the job's report, its verification and (with a role that reads outputs) its outputs. */
  public static boolean mayReadResults(Caller caller, Job job) {
    if (!job.hasReport()) {
      return false;
    }
    if (provides(caller, job) && othersPending(caller, job).isEmpty()) {
      return true;
    }
    return (owns(caller, job) || caller.is(Role.AUDITOR)) && job.state() == JobState.RELEASED;
  }

  /** The providers other than the caller whose release the job's results still wait for. */
  public static Set<String> othersPending(Caller caller, Job job) {
    Set<String> pending = job.releasesPending();
    pending.remove(caller.name());
    return pending;
  }

  public static boolean owns(Caller caller, Job job) {
    return caller.is(Role.SCIENTIST) && job.owner().equals(caller.name());
  }

  public static boolean provides(Caller caller, Job job) {
    return caller.is(Role.PROVIDER) && job.readsDatasetOf(caller.name());
  }
}
