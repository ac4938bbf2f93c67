package dev.cleanroom.bridge.job;

import dev.cleanroom.bridge.BridgeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One stage-2 job as the jobs database holds it, with the review rules that depend only on the job.
 *
 * @param name the notebook's file name as the scientist gave it
 * @param reason why the job is in its state, in one line (empty when nothing needs saying)
 * @param notebookSha256 sha256 (hex) of the submitted notebook file: what the attestation manifest names
 * @param stepFailures consecutive failed attempts at the job's current step; reset by each state change
 * @param hasReport whether report.json was written for the job
 * @param decisions every provider decision, oldest first
 */
public record Job(
    String id,
    String owner,
    String name,
    List<JobDataset> datasets,
    JobState state,
    String reason,
    String notebookSha256,
    long notebookBytes,
    Duration timeout,
    Instant submittedAt,
    Instant updatedAt,
    Optional<String> imageReference,
    Optional<String> imageDigest,
    TeeRun run,
    int stepFailures,
    boolean hasReport,
    List<Decision> decisions) {

  public Job {
    datasets = List.copyOf(datasets);
    decisions = List.copyOf(decisions);
    reason = reason == null ? "" : reason;
  }

  /** The providers of the datasets the job reads, each once, in the order of the datasets. */
  public Set<String> providers() {
    Set<String> providers = new LinkedHashSet<>();
    datasets.forEach(d -> providers.add(d.provider()));
    return providers;
  }

  public boolean readsDatasetOf(String provider) {
    return datasets.stream().anyMatch(d -> d.provider().equals(provider));
  }

  /** Providers whose approval the job still waits for. */
  public Set<String> approvalsPending() {
    Set<String> pending = new LinkedHashSet<>(providers());
    pending.removeIf(p -> latest(p, Decision.Kind.APPROVE, Decision.Kind.REJECT)
        .filter(d -> d.kind() == Decision.Kind.APPROVE).isPresent());
    return pending;
  }

  /**
   * The providers of the datasets whose outputs still wait for release: by too few of the people who may release them
   * ({@link JobDataset#approvers}).
   */
  public Set<String> releasesPending() {
    return releasesPending(decisions);
  }

  private Set<String> releasesPending(List<Decision> decided) {
    Set<String> pending = new LinkedHashSet<>();
    datasets.stream().filter(JobDataset::releaseRequired)
        .filter(d -> releasedBy(d, decided).size() < d.approvers())
        .forEach(d -> pending.add(d.provider()));
    return pending;
  }

  /**
   * The different people whose latest decision on the outputs released those of {@code dataset}. Never the job's
   * submitter, except the dataset's own provider where one release is enough (a job on her own data alone is hers to
   * release): a reviewer who submits would otherwise be the only one to look at another provider's data, and with two
   * or more approvers, two people other than her look at them.
   */
  public Set<String> releasedBy(JobDataset dataset) {
    return releasedBy(dataset, decisions);
  }

  private Set<String> releasedBy(JobDataset dataset, List<Decision> decided) {
    Set<String> released = new LinkedHashSet<>();
    for (String person : dataset.releasers()) {
      if (person.equals(owner) && (dataset.approvers() > 1 || !person.equals(dataset.provider()))) {
        continue;
      }
      latest(decided, person, EnumSet.of(Decision.Kind.RELEASE, Decision.Kind.WITHHOLD))
          .filter(d -> d.kind() == Decision.Kind.RELEASE).ifPresent(d -> released.add(person));
    }
    return released;
  }

  /** Whether {@code person} may release (and so review) the outputs of one of the job's datasets. */
  public boolean mayRelease(String person) {
    return datasets.stream().anyMatch(d -> d.releasers().contains(person));
  }

  /** The provider's latest decision among {@code kinds}. */
  public Optional<Decision> latest(String provider, Decision.Kind first, Decision.Kind... rest) {
    return latest(decisions, provider, EnumSet.of(first, rest));
  }

  private static Optional<Decision> latest(List<Decision> decisions, String provider, Set<Decision.Kind> kinds) {
    Decision found = null;
    for (Decision d : decisions) {
      if (d.provider().equals(provider) && kinds.contains(d.kind())) {
        found = d;
      }
    }
    return Optional.ofNullable(found);
  }

  /**
   * The state the job moves to once {@code decision} is recorded: approval by the last provider approves the
   * job, one rejection rejects it, release by the last provider who must release releases it, and a withheld
   * release keeps the outputs in the airlock (the provider may release them later).
   *
   * @throws BridgeException {@code wrong_state} (409) when the job is past the point where this decision counts,
   *     {@code not_permitted} (403) when the decider is not a provider of the job's datasets
   */
  public JobState stateAfter(Decision decision) {
    if (!mayRelease(decision.provider())) {
      throw BridgeException.forbidden(decision.provider() + " provides none of the datasets job " + id + " reads");
    }
    return switch (decision.kind()) {
      case APPROVE, REJECT -> {
        if (!readsDatasetOf(decision.provider())) {
          throw BridgeException.forbidden(decision.provider() + " reviews the outputs of job " + id + " only; its"
              + " notebook is approved by the datasets' providers (" + String.join(", ", providers()) + ")");
        }
        if (state != JobState.SUBMITTED) {
          throw BridgeException.wrongState("Job " + id + " is " + state + "; only a SUBMITTED job can be "
              + (decision.kind() == Decision.Kind.APPROVE ? "approved" : "rejected"));
        }
        if (decision.kind() == Decision.Kind.REJECT) {
          yield JobState.REJECTED;
        }
        Set<String> pending = approvalsPending();
        pending.remove(decision.provider());
        yield pending.isEmpty() ? JobState.APPROVED : JobState.SUBMITTED;
      }
      case RELEASE, WITHHOLD -> {
        if (state != JobState.FINISHED) {
          throw BridgeException.wrongState("Job " + id + " is " + state + "; outputs are released or withheld"
              + " only when the job is FINISHED");
        }
        if (decision.kind() == Decision.Kind.WITHHOLD) {
          yield JobState.FINISHED;
        }
        List<Decision> decided = new ArrayList<>(decisions);
        decided.add(decision);
        yield releasesPending(decided).isEmpty() ? JobState.RELEASED : JobState.FINISHED;
      }
    };
  }
}
