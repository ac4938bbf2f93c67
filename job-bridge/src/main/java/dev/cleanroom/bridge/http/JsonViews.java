package dev.cleanroom.bridge.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.attestation.verify.Check;
import dev.cleanroom.bridge.BridgeException;
import dev.cleanroom.bridge.auth.Caller;
import dev.cleanroom.bridge.auth.Role;
import dev.cleanroom.bridge.datasets.CatalogDataset;
import dev.cleanroom.bridge.job.Decision;
import dev.cleanroom.bridge.job.Job;
import dev.cleanroom.bridge.job.JobDataset;
import dev.cleanroom.bridge.job.JobEvent;
import dev.cleanroom.bridge.libraries.JobLibraries;
import dev.cleanroom.bridge.service.Airlock;
import dev.cleanroom.bridge.service.NotebookReview;
import dev.cleanroom.bridge.service.OutputFile;
import dev.cleanroom.bridge.service.VerificationResult;
import dev.cleanroom.bridge.store.AuditEntry;
import dev.cleanroom.kernel.review.CodeReview;
import dev.cleanroom.kernel.review.Finding;
import java.util.List;
import java.util.function.Function;

/** The JSON of the API's answers (job-bridge.yaml), written in this one place. */
final class JsonViews {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonViews() {}

  static byte[] bytes(Object node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  static <T> ArrayNode array(List<T> items, Function<T, ObjectNode> view) {
    ArrayNode array = F.arrayNode();
    items.forEach(item -> array.add(view.apply(item)));
    return array;
  }

  static ObjectNode error(BridgeException e) {
    return F.objectNode().put("code", e.code()).put("message", e.getMessage());
  }

  static ObjectNode caller(Caller caller) {
    ObjectNode o = F.objectNode().put("name", caller.name());
    ArrayNode roles = o.putArray("roles");
    for (Role role : Role.values()) {
      if (caller.is(role)) {
        roles.add(role.code());
      }
    }
    return o;
  }

  /** A job as {@code caller} sees it; {@code resultsReadable} says whether they may read its report and outputs now. */
  static ObjectNode job(Job job, Caller caller) {
    ObjectNode o = F.objectNode()
        .put("id", job.id())
        .put("owner", job.owner())
        .put("name", job.name())
        .put("state", job.state().name())
        .put("final", job.state().isFinal())
        .put("reason", job.reason());
    ArrayNode datasets = o.putArray("datasets");
    for (JobDataset d : job.datasets()) {
      ObjectNode dataset = datasets.addObject().put("name", d.dataset()).put("provider", d.provider())
          .put("releaseRequired", d.releaseRequired()).put("approvers", d.approvers());
      d.reviewers().forEach(dataset.putArray("reviewers")::add);
      job.releasedBy(d).forEach(dataset.putArray("releasedBy")::add);
    }
    o.putObject("notebook").put("sha256", job.notebookSha256()).put("bytes", job.notebookBytes());
    o.put("timeoutSeconds", job.timeout().toSeconds());
    o.put("submittedAt", job.submittedAt().toString());
    o.put("updatedAt", job.updatedAt().toString());
    if (job.imageDigest().isPresent()) {
      o.putObject("image").put("reference", job.imageReference().orElse("")).put("digest", job.imageDigest().get());
    }
    if (job.run().requestedAt().isPresent()) {
      ObjectNode run = o.putObject("run").put("launches", job.run().launches());
      job.run().where().ifPresent(w -> run.put("where", w));
      job.run().launchedAt().ifPresent(t -> run.put("launchedAt", t.toString()));
      job.run().stoppedAt().ifPresent(t -> run.put("stoppedAt", t.toString()));
    }
    ArrayNode approvals = o.putArray("approvalsPending");
    if (job.state() == dev.cleanroom.bridge.job.JobState.SUBMITTED) {
      job.approvalsPending().forEach(approvals::add);
    }
    ArrayNode releases = o.putArray("releasesPending");
    if (job.state() == dev.cleanroom.bridge.job.JobState.FINISHED) {
      job.releasesPending().forEach(releases::add);
    }
    ArrayNode decisions = o.putArray("decisions");
    for (Decision d : job.decisions()) {
      decisions.addObject().put("provider", d.provider()).put("kind", d.kind().code()).put("comment", d.comment())
          .put("at", d.at().toString());
    }
    o.put("hasReport", job.hasReport());
    o.put("resultsReadable", Airlock.mayReadResults(caller, job));
    return o;
  }

  static ObjectNode review(String jobId, NotebookReview review) {
    ObjectNode o = F.objectNode().put("jobId", jobId);
    ArrayNode findings = o.putArray("findings");
    ArrayNode parsed = o.putArray("cells");
    ArrayNode libraries = o.putArray("libraries");
    for (JobLibraries.Library library : review.libraries()) {
      ObjectNode l = libraries.addObject().put("coordinates", library.coordinates()).put("sha256", library.sha256());
      library.licence().ifPresentOrElse(licence -> l.put("licence", licence), () -> l.putNull("licence"));
      l.put("newToDeployment", library.newToDeployment());
    }
    for (CodeReview cell : review.cells()) {
      parsed.addObject().put("cell", cell.cell()).put("parsed", cell.parsed());
      for (Finding f : cell.findings()) {
        findings.addObject().put("cell", f.cell()).put("line", f.line()).put("column", f.column())
            .put("kind", f.kind().code()).put("text", f.text()).put("meaning", f.meaning())
            .put("description", f.describe()).put("inComment", f.inComment())
            .put("offset", f.offset()).put("length", f.length())
            .put("parsedOffset", f.parsedOffset()).put("parsedLength", f.parsedLength());
      }
    }
    return o;
  }

  static ObjectNode event(JobEvent e) {
    ObjectNode o = F.objectNode().put("seq", e.seq()).put("at", e.at().toString()).put("actor", e.actor());
    e.from().ifPresent(s -> o.put("from", s.name()));
    e.to().ifPresent(s -> o.put("to", s.name()));
    return o.put("message", e.message());
  }

  static ObjectNode output(OutputFile f) {
    return F.objectNode().put("path", f.path()).put("bytes", f.bytes()).put("sha256", f.sha256());
  }

  static ObjectNode dataset(CatalogDataset d) {
    return F.objectNode().put("name", d.name()).put("provider", d.owner()).put("description", d.policy().description())
        .put("outputsNeedRelease", d.policy().outputsNeedRelease());
  }

  static ObjectNode verification(VerificationResult v) {
    ObjectNode o = F.objectNode().put("jobId", v.jobId()).put("passed", v.passed()).put("simulated", v.simulated())
        .put("keySource", v.keySource()).put("files", v.files());
    ArrayNode checks = o.putArray("checks");
    for (Check c : v.checks()) {
      checks.addObject().put("check", c.name().code()).put("passed", c.passed()).put("reason", c.reason())
          .put("description", c.name().description());
    }
    return o;
  }

  static ObjectNode comment(dev.cleanroom.bridge.job.Comment c) {
    ObjectNode o = F.objectNode().put("seq", c.seq()).put("author", c.author()).put("body", c.body())
        .put("at", c.at().toString());
    c.output().ifPresent(path -> o.put("output", path));
    return o;
  }

  static ObjectNode audit(AuditEntry e) {
    ObjectNode o = F.objectNode().put("seq", e.seq()).put("at", e.at().toString()).put("actor", e.actor())
        .put("action", e.action());
    e.jobId().ifPresent(id -> o.put("job", id));
    return o.put("outcome", e.outcome()).put("detail", e.detail()).put("hash", e.hash());
  }
}
