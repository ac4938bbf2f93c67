package dev.cleanroom.bridge.service;

import dev.cleanroom.attestation.verify.Check;
import java.util.List;

/**
 * A report's verification as the auditor page shows it: every check with its reason.
 *
 * @param jobId the job the report's manifest names
 * @param simulated whether the report came from the local simulator (then it proves nothing about a real TEE)
 * @param files what the notebook and output checks compared against: the bridge's stored files of the job, or
 *     none (an uploaded report of a job this bridge does not hold)
 */
public record VerificationResult(String jobId, boolean passed, boolean simulated, String keySource, String files,
    List<Check> checks) {}
