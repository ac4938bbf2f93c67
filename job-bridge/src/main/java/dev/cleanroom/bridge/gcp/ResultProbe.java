package dev.cleanroom.bridge.gcp;

import dev.cleanroom.bridge.backend.ObjectStorage;
import java.io.IOException;
import java.util.function.UnaryOperator;

/**
 * Tells whether a job's results have arrived in storage. A VM on the production image powers off after its
 * workload exits, but one on the debug image stays up; for it, the results (e.g. the job's report object)
 * are the only sign that the workload is done.
 */
@FunctionalInterface
public interface ResultProbe {
  /** A probe for bridges that wait for the VM alone (production images only). */
  ResultProbe NONE = jobId -> false;

  boolean resultsPresent(String jobId) throws IOException;

  /**
   * Results are present once the object the workload uploads last exists, e.g.
   * {@code whenStored(storage, id -> JobObjects.resultFile(id, JobFolder.TOKEN))}.
   */
  static ResultProbe whenStored(ObjectStorage storage, UnaryOperator<String> lastObjectOfJob) {
    return jobId -> storage.exists(lastObjectOfJob.apply(jobId));
  }
}
