package dev.cleanroom.bridge.backend;

import dev.cleanroom.attestation.report.JobFolder;

/**
 * Where a job's objects live in storage:
 *
 * <pre>
 *   jobs/&lt;id&gt;/notebook.ipynb        the submitted notebook, as sent
 *   jobs/&lt;id&gt;/inputs/...            inputs a platform stages for the TEE (GCP: the views' policy and synthetic rows)
 *   jobs/&lt;id&gt;/inputs.json           where each input of the job's DCR_INPUTS is (GCP)
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

  /** Where each input of the job is: a JSON object, input name to object URI. */
  public static String inputPlan(String jobId) {
    return "jobs/" + jobId + "/inputs.json";
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
