package dev.cleanroom.bridge.store;

import dev.cleanroom.bridge.job.JobDataset;
import java.time.Duration;
import java.util.List;

/** A job as submitted, before the database holds it. */
public record NewJob(
    String id, String owner, String name, List<JobDataset> datasets, String notebookSha256, long notebookBytes,
    Duration timeout) {
  public NewJob {
    datasets = List.copyOf(datasets);
    if (datasets.isEmpty()) {
      throw new IllegalArgumentException("a job reads at least one dataset");
    }
  }
}
