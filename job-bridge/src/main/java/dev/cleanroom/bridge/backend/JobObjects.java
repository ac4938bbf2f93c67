package dev.cleanroom.bridge.backend;

import dev.cleanroom.attestation.report.JobFolder;

/**
 * Where a job's objects live in storage:
 *
 * <pre>
 *   jobs/&lt;id&gt;/notebook.ipynb        the submitted notebook, as sent
 *   jobs/&lt;id&gt;/inputs/...            inputs a platform stages for the TEE (GCP: the views' policy and synthetic rows)
 *   jobs/&lt;id&gt;/plan.json             the job plan: where each input of the job's DCR_INPUTS is and where the
 *                                   job folder goes (GCP)
 *   jobs/&lt;id&gt;/result.zip            the job folder as the TEE uploads it (GCP), unpacked into result/
 *   jobs/&lt;id&gt;/result/...            the job folder ({@link JobFolder}): what the TEE uploads (executed
 *                                   notebook, outputs, manifest, token), then the bridge's jwks.json and report.json
 * </pre>
 */
public final class JobObjects {
  private JobObjects() {}

  public static String notebook(String jobId) {
    return "jobs/" + jobId + "/notebook.ipynb";
  }

  /** A staged input, by its name in the launcher's input folder ({@code insurance/policy.yaml}). */
  public static String input(String jobId, String name) {
    return "jobs/" + jobId + "/inputs/" + name;
  }

  /** The job plan the launcher follows on a platform without mounts (tee-image's JobPlan format). */
  public static String jobPlan(String jobId) {
    return "jobs/" + jobId + "/plan.json";
  }

  /** The job folder as one zip, which the TEE uploads through a signed URL and the platform unpacks into {@link #result}. */
  public static String resultArchive(String jobId) {
    return "jobs/" + jobId + "/result.zip";
  }

  /** The prefix the TEE writes the job folder under. */
  public static String result(String jobId) {
    return "jobs/" + jobId + "/result/";
  }

  public static String resultFile(String jobId, String name) {
    return result(jobId) + name;
  }

  public static String report(String jobId) {
    return resultFile(jobId, JobFolder.REPORT);
  }
}
