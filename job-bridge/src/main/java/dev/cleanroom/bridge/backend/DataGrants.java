package dev.cleanroom.bridge.backend;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * The grants through which a job's image reads its datasets' real rows, which the data providers make, not the
 * bridge: on Confidential Space an IAM binding per dataset that lets the job's image digest (and nothing else) read
 * that dataset's objects. The reconciler launches a built job only once {@link #check} finds every grant in place,
 * and calls {@link #revoke} once the job's run is over.
 *
 * <p>Invariant: the bridge never holds the right to make a grant; a platform that needs none (the local
 * simulator, where the bridge's own catalog hands the TEE its inputs) answers {@link #NONE}.
 */
public interface DataGrants {
  /** What a job needs: its image, its datasets, and until when a grant may last (the job's latest end). */
  record Request(String jobId, String imageDigest, List<String> datasets, Instant until) {
    public Request {
      datasets = List.copyOf(datasets);
    }
  }

  /**
   * Whether every grant is in place.
   *
   * @param missing for each grant not in place yet, what its provider is to do (the command, with the digest)
   */
  record Status(List<String> missing) {
    public Status {
      missing = List.copyOf(missing);
    }

    public boolean ready() {
      return missing.isEmpty();
    }
  }

  /** No grants to wait for and none to remove. */
  DataGrants NONE = new DataGrants() {
    @Override
    public Status check(Request request) {
      return new Status(List.of());
    }

    @Override
    public List<String> revoke(Request request) {
      return List.of();
    }
  };

  Status check(Request request) throws IOException;

  /**
   * Ends the job's grants; idempotent.
   *
   * @return for each grant the bridge could not remove itself, what its provider is to do (it lapses at
   *     {@link Request#until} in any case)
   */
  List<String> revoke(Request request) throws IOException;
}
