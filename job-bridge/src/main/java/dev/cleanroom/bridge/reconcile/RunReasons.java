package dev.cleanroom.bridge.reconcile;

import java.util.List;

/**
 * The reasons a job is given once its run in the TEE has started: a fixed list. A job's reason and timeline are read
 * by its scientist and by auditors before any release, so from the run's start on they are chosen from here and never
 * carry text, names, counts or hashes from the run's result; the details (the manifest's outcome, the failed checks)
 * are in the report, which only the job's providers read before release.
 */
public final class RunReasons {
  public static final String FINISHED =
      "the notebook ran to its end; report verified; the outputs wait in the airlock for the providers' release";
  public static final String NOTEBOOK_FAILED =
      "the notebook failed in the TEE; report verified; the job's providers can read why in its report and outputs";
  public static final String NOTEBOOK_TIMED_OUT =
      "the notebook ran past its time limit in the TEE; report verified";
  public static final String REPORT_REFUSED =
      "the TEE's attestation report did not verify; the job's providers can read which checks failed";
  public static final String NO_REPORT = "the TEE's result holds no readable attestation report";
  public static final String NO_RECORD =
      "the TEE exited without an attestation record (no manifest and token were uploaded)";
  public static final String LOST = "the run in the TEE was lost too many times without a result";
  public static final String GAVE_UP = "gave up after repeated failures to read the run's result";

  /** Every reason above. */
  public static final List<String> ALL =
      List.of(FINISHED, NOTEBOOK_FAILED, NOTEBOOK_TIMED_OUT, REPORT_REFUSED, NO_REPORT, NO_RECORD, LOST, GAVE_UP);

  private RunReasons() {}
}
