package dev.cleanroom.bridge.job;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A dataset a job reads, with what its policy said when the job was submitted: who provides it (and so must
 * approve the job), whether the job's outputs wait for release, how many different people must release them, and
 * who besides the provider may (the policy's {@code outputs.reviewers}).
 *
 * @param approvers how many different people among the provider and the reviewers must release the outputs; with 2
 *     or more, the job's submitter is never one of them
 */
public record JobDataset(String dataset, String provider, boolean releaseRequired, int approvers, List<String> reviewers) {
  public JobDataset {
    if (dataset == null || dataset.isBlank() || provider == null || provider.isBlank()) {
      throw new IllegalArgumentException("a job's dataset needs its name and provider");
    }
    reviewers = List.copyOf(reviewers);
    if (approvers < 1 || approvers > 1 + reviewers.size()) {
      throw new IllegalArgumentException("dataset " + dataset + " needs between 1 and " + (1 + reviewers.size())
          + " approvers, got " + approvers);
    }
  }

  /** A dataset whose provider alone releases the outputs. */
  public JobDataset(String dataset, String provider, boolean releaseRequired) {
    this(dataset, provider, releaseRequired, 1, List.of());
  }

  /** Who may release the outputs (and so review them): the provider and the reviewers. */
  public Set<String> releasers() {
    Set<String> releasers = new LinkedHashSet<>();
    releasers.add(provider);
    releasers.addAll(reviewers);
    return releasers;
  }
}
