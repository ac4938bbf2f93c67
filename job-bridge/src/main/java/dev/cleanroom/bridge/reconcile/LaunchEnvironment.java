package dev.cleanroom.bridge.reconcile;

import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.bridge.datasets.CatalogDataset;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import dev.cleanroom.bridge.job.Job;
import dev.cleanroom.bridge.job.JobDataset;
import dev.cleanroom.tee.api.ApprovedInputs;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The variables a job's launcher is started with (on Confidential Space the {@code tee-env-*} metadata, which the
 * image's launch policy allows by name): the names and meaning are the launcher's ({@code JobConfig} of the
 * tee-image module). Nothing secret and no location: where the inputs come from and where the job folder goes
 * is the TEE platform's business; the launcher checks every input against the commitment given here (the token
 * attests these variables, so a bare sha256 of the rows would be public).
 *
 * <pre>
 *   DCR_JOB_ID            the job id, which the manifest must name
 *   DCR_AUDIENCE          the audience of the attestation token (the bridge)
 *   DCR_INPUTS            &lt;dataset&gt;/real.csv=&lt;commitment&gt;,&lt;dataset&gt;/policy.yaml=&lt;commitment&gt;,...: the
 *                         inputs and the commitments the launcher must find (the real rows' as the provider recorded
 *                         it), with &lt;dataset&gt;/commitment.key, and &lt;dataset&gt;/synthetic.csv when the dataset's
 *                         policy offers the synthetic view
 *   DCR_TIMEOUT_SECONDS   the job's time limit
 * </pre>
 */
public final class LaunchEnvironment {
  public static final String JOB_ID = "DCR_JOB_ID";
  public static final String AUDIENCE = "DCR_AUDIENCE";
  public static final String INPUTS = "DCR_INPUTS";
  public static final String TIMEOUT = "DCR_TIMEOUT_SECONDS";

  private LaunchEnvironment() {}

  static Map<String, String> of(Job job, DatasetCatalog datasets, String audience, Duration timeout) throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(JOB_ID, job.id());
    env.put(AUDIENCE, audience);
    env.put(INPUTS, inputs(job, datasets).toList());
    env.put(TIMEOUT, Long.toString(Math.max(1, timeout.toSeconds())));
    return env;
  }

  /**
   * The job's inputs: every input of its datasets with the commitment the catalog holds. The job's image is built
   * approved for exactly these, and its launcher refuses a run that names others.
   */
  static ApprovedInputs inputs(Job job, DatasetCatalog datasets) throws IOException {
    Map<String, Sha256> inputs = new TreeMap<>();
    for (JobDataset d : job.datasets()) {
      CatalogDataset dataset = datasets.find(d.dataset()).orElseThrow(() -> new IOException("dataset '" + d.dataset()
          + "' is no longer served by this bridge; add it again with --dataset, or cancel the job"));
      dataset.inputCommitments().forEach((name, commitment) -> inputs.put(name, new Sha256(commitment)));
    }
    return ApprovedInputs.of(inputs);
  }
}
