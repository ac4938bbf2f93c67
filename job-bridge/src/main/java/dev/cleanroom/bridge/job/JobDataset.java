package dev.cleanroom.bridge.job;

/**
 * A dataset a job reads, with what its policy said when the job was submitted: who provides it (and so must
 * approve the job) and whether the job's outputs wait for that provider's release.
 */
public record JobDataset(String dataset, String provider, boolean releaseRequired) {
  public JobDataset {
    if (dataset == null || dataset.isBlank() || provider == null || provider.isBlank()) {
      throw new IllegalArgumentException("a job's dataset needs its name and provider");
    }
  }
}
