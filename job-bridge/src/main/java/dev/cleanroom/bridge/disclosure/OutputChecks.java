package dev.cleanroom.bridge.disclosure;

import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.bridge.backend.JobObjects;
import dev.cleanroom.bridge.backend.ObjectStorage;
import dev.cleanroom.bridge.datasets.CatalogDataset;
import dev.cleanroom.bridge.datasets.DatasetCatalog;
import dev.cleanroom.bridge.job.Job;
import dev.cleanroom.bridge.job.JobDataset;
import dev.cleanroom.bridge.report.JobReports;
import dev.cleanroom.bridge.store.JobStore;
import dev.cleanroom.dp.policy.OutputRules;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Runs the disclosure checks on every output of a finished job, once, and keeps what they found beside the job
 * folder, which stays as the TEE attested it:
 *
 * <pre>
 *   jobs/&lt;id&gt;/checks/checks.json          every output's kind, each rule's result, the attested sha256 and the
 *                                         sha256 of what the scientist receives (or that it is withheld)
 *   jobs/&lt;id&gt;/checks/released/&lt;path&gt;    the derivative a rule made (counts suppressed or rounded)
 * </pre>
 *
 * <p>The audit log gets the report's sha256 only: never an output's name, a cell, or how many outputs a rule flagged
 * (auditors read the log before release, and those tallies derive from the real rows). A release is bound to the
 * report by its sha256 in the audit log; the scientist receives the report with the outputs.
 */
public final class OutputChecks {
  /** The report's name, as the scientist downloads it beside the outputs. */
  public static final String REPORT = "checks.json";
  /** The largest output the checks read (in memory). */
  static final long MAX_CHECKED_BYTES = 64L << 20;

  private final ObjectStorage storage;
  private final JobReports reports;
  private final DatasetCatalog catalog;
  private final JobStore store;

  public OutputChecks(ObjectStorage storage, JobReports reports, DatasetCatalog catalog, JobStore store) {
    this.storage = storage;
    this.reports = reports;
    this.catalog = catalog;
    this.store = store;
  }

  public static String reportKey(String jobId) {
    return "jobs/" + jobId + "/checks/" + REPORT;
  }

  public static String derivativeKey(String jobId, String path) {
    return "jobs/" + jobId + "/checks/released/" + path;
  }

  /** What the checks found for a job with a report: read when they ran, else run now (and audited). */
  public ChecksReport of(Job job) throws IOException {
    String key = reportKey(job.id());
    if (storage.exists(key)) {
      try (InputStream in = storage.get(key)) {
        return ChecksReport.parse(in.readAllBytes());
      }
    }
    return run(job);
  }

  private ChecksReport run(Job job) throws IOException {
    JobManifest manifest = reports.manifest(job.id()).orElseThrow(() -> new IOException("job " + job.id()
        + " has no attestation report to check the outputs of"));
    Optional<OutputRules> rules = combined(job);
    JsonArray outputs = new JsonArray();
    for (var entry : manifest.outputs().entrySet()) {
      String path = entry.getKey();
      CheckedOutput checked = check(job.id(), path, rules);
      JsonObject output = new JsonObject().put("path", path)
          .put("type", checked.type().map(OutputRules.FileType::code)
              .orElse(checked.results().stream().anyMatch(r -> r.rule().equals("size")) ? "unread" : "binary"))
          .put("outcome", checked.outcome().code())
          .put("attestedSha256", entry.getValue().hex());
      if (checked.withheld()) {
        output.put("released", "withheld");
      } else if (checked.derivative().isPresent()) {
        byte[] derivative = checked.derivative().get();
        storage.put(derivativeKey(job.id(), path), new ByteArrayInputStream(derivative), derivative.length);
        output.put("released", "derivative").put("releasedSha256", Sha256.of(derivative).hex());
      } else {
        output.put("released", "attested").put("releasedSha256", entry.getValue().hex());
      }
      JsonArray results = new JsonArray();
      checked.results().forEach(r -> results.add(new JsonObject().put("rule", r.rule()).put("outcome", r.outcome().code())
          .put("detail", r.detail())));
      outputs.add(output.put("results", results));
    }
    JsonObject report = new JsonObject().put("job", job.id()).put("outputs", outputs);
    byte[] bytes = report.encodePrettily().getBytes(StandardCharsets.UTF_8);
    storage.put(reportKey(job.id()), new ByteArrayInputStream(bytes), bytes.length);
    ChecksReport checks = ChecksReport.parse(bytes);
    // The hash only: how many outputs were flagged or changed derives from the real rows, and auditors read the log
    // before release.
    store.audit(JobStore.SYSTEM_ACTOR, "check_outputs", Optional.of(job.id()), "ok", "checks.json sha256=" + checks.sha256());
    return checks;
  }

  /** The checks of one output; one too large to read in memory is withheld when the policies check anything. */
  private CheckedOutput check(String jobId, String path, Optional<OutputRules> rules) throws IOException {
    String key = JobObjects.resultFile(jobId, path);
    if (rules.isEmpty()) {
      return new CheckedOutput(path, Optional.empty(), List.of(new RuleResult("file_types", RuleResult.Outcome.FAIL,
          "the policies of the job's datasets allow no file type in common")), Optional.empty());
    }
    if (storage.size(key) > MAX_CHECKED_BYTES) {
      boolean checks = rules.get().checksAnything();
      return new CheckedOutput(path, Optional.empty(), List.of(new RuleResult("size",
          checks ? RuleResult.Outcome.FAIL : RuleResult.Outcome.PASS, checks
              ? "larger than " + (MAX_CHECKED_BYTES >> 20) + " MiB, which the checks do not read: withheld"
              : "not read (larger than " + (MAX_CHECKED_BYTES >> 20) + " MiB); the policies set no check")), Optional.empty());
    }
    try (InputStream in = storage.get(key)) {
      return new DisclosureChecker(rules.get()).check(path, in.readAllBytes());
    }
  }

  /**
   * The strictest of the rules of the job's datasets: the highest threshold and rounding base, suppression over a
   * flag, the fewest rows, every named count column (all columns when one policy names none), and the file types all
   * allow; empty when they allow none in common.
   */
  Optional<OutputRules> combined(Job job) {
    List<OutputRules> all = job.datasets().stream().map(JobDataset::dataset).map(catalog::find)
        .flatMap(Optional::stream).map(CatalogDataset::policy).map(p -> p.outputRules()).toList();
    OptionalInt min = all.stream().flatMapToInt(r -> r.minCellCount().stream()).max();
    OptionalInt rows = all.stream().flatMapToInt(r -> r.maxRows().stream()).min();
    int round = all.stream().mapToInt(OutputRules::roundCountsTo).max().orElse(1);
    boolean suppress = all.stream().anyMatch(r -> r.smallCounts() == OutputRules.SmallCounts.SUPPRESS);
    Set<String> columns = new LinkedHashSet<>();
    boolean everyColumn = all.isEmpty() || all.stream().anyMatch(r -> r.countColumns().isEmpty());
    all.forEach(r -> columns.addAll(r.countColumns()));
    Set<OutputRules.FileType> types = EnumSet.allOf(OutputRules.FileType.class);
    boolean restricted = false;
    for (OutputRules r : all) {
      if (!r.fileTypes().isEmpty()) {
        types.retainAll(r.fileTypes());
        restricted = true;
      }
    }
    if (restricted && types.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new OutputRules(1, List.of(), min,
        suppress ? OutputRules.SmallCounts.SUPPRESS : OutputRules.SmallCounts.FLAG, round, rows,
        everyColumn ? List.of() : List.copyOf(columns), restricted ? types : Set.of()));
  }
}
