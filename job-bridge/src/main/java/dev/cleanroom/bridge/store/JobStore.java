package dev.cleanroom.bridge.store;

import dev.cleanroom.bridge.BridgeException;
import dev.cleanroom.bridge.job.Comment;
import dev.cleanroom.bridge.job.Decision;
import dev.cleanroom.bridge.job.Job;
import dev.cleanroom.bridge.job.JobDataset;
import dev.cleanroom.bridge.job.JobEvent;
import dev.cleanroom.bridge.job.JobState;
import dev.cleanroom.bridge.job.TeeRun;
import dev.cleanroom.service.sql.SqlDatabase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The jobs database: jobs with their datasets and provider decisions, each job's timeline, and the
 * append-only audit log. SQLite file (embedded default) or PostgreSQL, the same tables on both.
 *
 * <p>Invariants: a job's state changes only along {@link JobState#canMoveTo}, by compare-and-set on the state
 * it was read in, so a cancel and the reconciler never both win; every state change writes its timeline event
 * in the same transaction; every action a user takes writes its audit entry in the same transaction as its
 * effect, so there is no effect without its entry.
 */
public final class JobStore implements AutoCloseable {
  /** The actor of the reconciler's changes. */
  public static final String SYSTEM_ACTOR = "bridge";

  private static final String GENESIS = "0".repeat(64);
  /** The jobs a provider decides on: those reading a dataset she provides or reviews (two parameters: her name). */
  private static final String DECIDES_ON = "SELECT job_id FROM job_datasets WHERE provider = ?"
      + " UNION SELECT job_id FROM job_reviewers WHERE reviewer = ?";
  private static final String JOB_COLUMNS = "id, owner, name, state, reason, notebook_sha256, notebook_bytes,"
      + " timeout_seconds, submitted_micros, updated_micros, image_reference, image_digest, run_requested_micros,"
      + " run_where, run_launched_micros, run_stopped_micros, run_launches, step_failures, has_report";

  private final SqlDatabase database;
  private final Clock clock;
  private final List<Consumer<JobEvent>> stateListeners = new CopyOnWriteArrayList<>();

  private JobStore(SqlDatabase database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /** Opens {@code jdbc:sqlite:<file>} or {@code jdbc:postgresql://...}, creating or upgrading its tables. */
  public static JobStore open(String jdbcUrl, Clock clock) {
    SqlDatabase database = SqlDatabase.open("the jobs database", jdbcUrl, (action, shown, e) ->
        new BridgeException("database_unavailable", 503, "The jobs database failed to " + action + " ("
            + shown + ": " + e.getMessage() + "); retry shortly", e));
    try {
      Migrations.migrate(database, clock);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
    return new JobStore(database, clock);
  }

  /** Called after each committed state change, in commit order per job; for the log line and metrics. */
  public void onStateChange(Consumer<JobEvent> listener) {
    stateListeners.add(listener);
  }

  // ---- changes a user makes ----

  /**
   * Stores a submitted job in state SUBMITTED.
   *
   * @throws BridgeException {@code too_many_jobs} (429) when the owner already has {@code maxInFlight} jobs in flight
   */
  public Job submit(NewJob job, int maxInFlight) {
    Instant now = clock.instant();
    JobEvent event = database.write("store job " + job.id(), c -> {
      database.lockKey(c, "jobs of", job.owner());
      long inFlight = countInFlight(c, job.owner());
      if (inFlight >= maxInFlight) {
        throw new BridgeException("too_many_jobs", 429, job.owner() + " has " + inFlight + " jobs in flight, the most"
            + " allowed; wait for one to finish or cancel one, then submit again");
      }
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO jobs (" + JOB_COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0)")) {
        insert.setString(1, job.id());
        insert.setString(2, job.owner());
        insert.setString(3, job.name());
        insert.setString(4, JobState.SUBMITTED.name());
        insert.setString(5, "");
        insert.setString(6, job.notebookSha256());
        insert.setLong(7, job.notebookBytes());
        insert.setLong(8, job.timeout().toSeconds());
        insert.setLong(9, Times.micros(now));
        insert.setLong(10, Times.micros(now));
        insert.executeUpdate();
      }
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO job_datasets"
          + " (job_id, position, dataset, provider, release_required, approvers) VALUES (?, ?, ?, ?, ?, ?)")) {
        int position = 0;
        for (JobDataset d : job.datasets()) {
          insert.setString(1, job.id());
          insert.setInt(2, position++);
          insert.setString(3, d.dataset());
          insert.setString(4, d.provider());
          insert.setInt(5, d.releaseRequired() ? 1 : 0);
          insert.setInt(6, d.approvers());
          insert.addBatch();
        }
        insert.executeBatch();
      }
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO job_reviewers (job_id, dataset, reviewer)"
          + " VALUES (?, ?, ?)")) {
        for (JobDataset d : job.datasets()) {
          for (String reviewer : d.reviewers()) {
            insert.setString(1, job.id());
            insert.setString(2, d.dataset());
            insert.setString(3, reviewer);
            insert.addBatch();
          }
        }
        insert.executeBatch();
      }
      String datasets = job.datasets().stream().map(JobDataset::dataset).collect(Collectors.joining(", "));
      JobEvent submitted = insertEvent(c, job.id(), now, job.owner(), Optional.empty(), Optional.of(JobState.SUBMITTED),
          "submitted " + job.name() + " reading " + datasets + "; waiting for "
              + String.join(", ", job.datasets().stream().map(JobDataset::provider).distinct().toList()));
      appendAudit(c, now, job.owner(), "submit", Optional.of(job.id()), "ok",
          "name=" + job.name() + " datasets=" + datasets + " notebook=sha256:" + job.notebookSha256());
      return submitted;
    });
    announce(event);
    return find(job.id()).orElseThrow();
  }

  /**
   * Records a provider's decision and moves the job as {@link Job#stateAfter} says.
   *
   * @throws BridgeException {@code unknown_job}, {@code not_permitted} or {@code wrong_state}
   */
  public Job decide(String id, Decision.Kind kind, String provider, String comment) {
    Instant now = clock.instant();
    Optional<JobEvent> change = database.write(kind.code() + " job " + id, c -> {
      Job job = lockAndLoad(c, id);
      Decision decision = new Decision(provider, kind, comment, now);
      JobState next = job.stateAfter(decision);
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO job_decisions"
          + " (job_id, seq, provider, kind, comment, decided_micros) VALUES (?, ?, ?, ?, ?, ?)")) {
        insert.setString(1, id);
        insert.setLong(2, nextSeq(c, "job_decisions", id));
        insert.setString(3, provider);
        insert.setString(4, kind.name());
        insert.setString(5, decision.comment());
        insert.setLong(6, Times.micros(now));
        insert.executeUpdate();
      }
      String said = kind.code() + (decision.comment().isEmpty() ? "" : ": " + decision.comment());
      Optional<JobEvent> event;
      if (next != job.state()) {
        setState(c, id, job.state(), next, reasonOf(kind, provider, decision.comment()), JobUpdate.none(), now);
        event = Optional.of(insertEvent(c, id, now, provider, Optional.of(job.state()), Optional.of(next), said));
      } else {
        insertEvent(c, id, now, provider, Optional.empty(), Optional.empty(), said);
        event = Optional.empty();
      }
      appendAudit(c, now, provider, kind.code(), Optional.of(id), "ok", decision.comment());
      return event;
    });
    change.ifPresent(this::announce);
    return find(id).orElseThrow();
  }

  /**
   * Adds a comment to the job. The audit log records who commented and whether on the job or on an output, never the
   * text or the output's name (auditors read the log before release).
   */
  public Comment comment(String id, String author, Optional<String> output, String body) {
    Instant now = clock.instant();
    return database.write("comment on job " + id, c -> {
      lockAndLoad(c, id);
      long seq = nextSeq(c, "job_comments", id);
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO job_comments"
          + " (job_id, seq, author, output, body, at_micros) VALUES (?, ?, ?, ?, ?, ?)")) {
        insert.setString(1, id);
        insert.setLong(2, seq);
        insert.setString(3, author);
        insert.setString(4, output.orElse(null));
        insert.setString(5, body);
        insert.setLong(6, Times.micros(now));
        insert.executeUpdate();
      }
      appendAudit(c, now, author, "comment", Optional.of(id), "ok", output.isPresent() ? "on an output" : "on the job");
      return new Comment(seq, author, output, body, now);
    });
  }

  /** The job's comments, oldest first. */
  public List<Comment> comments(String id) {
    return database.read("read the comments on job " + id, c -> {
      List<Comment> comments = new ArrayList<>();
      try (PreparedStatement select = c.prepareStatement("SELECT seq, author, output, body, at_micros FROM job_comments"
          + " WHERE job_id = ? ORDER BY seq")) {
        select.setString(1, id);
        try (ResultSet r = select.executeQuery()) {
          while (r.next()) {
            comments.add(new Comment(r.getLong(1), r.getString(2), Optional.ofNullable(r.getString(3)), r.getString(4),
                Times.instant(r.getLong(5))));
          }
        }
      }
      return comments;
    });
  }

  private static String reasonOf(Decision.Kind kind, String provider, String comment) {
    return switch (kind) {
      case REJECT -> "rejected by " + provider + (comment.isEmpty() ? "" : ": " + comment);
      case APPROVE -> "approved by every provider";
      case RELEASE -> "outputs released by every provider who must release them";
      case WITHHOLD -> "";
    };
  }

  /**
   * Cancels a job in flight on its owner's request.
   *
   * @throws BridgeException {@code unknown_job}, or {@code wrong_state} when the job is no longer in flight
   */
  public Job cancel(String id, String actor, String comment) {
    Instant now = clock.instant();
    JobEvent event = database.write("cancel job " + id, c -> {
      Job job = lockAndLoad(c, id);
      if (!job.state().isInFlight()) {
        throw BridgeException.wrongState("Job " + id + " is " + job.state() + "; only a job in flight can be cancelled");
      }
      String reason = "cancelled by " + actor + (comment.isEmpty() ? "" : ": " + comment);
      setState(c, id, job.state(), JobState.CANCELLED, reason, JobUpdate.none(), now);
      JobEvent cancelled = insertEvent(c, id, now, actor, Optional.of(job.state()), Optional.of(JobState.CANCELLED),
          comment.isEmpty() ? "cancel" : "cancel: " + comment);
      appendAudit(c, now, actor, "cancel", Optional.of(id), "ok", comment);
      return cancelled;
    });
    announce(event);
    return find(id).orElseThrow();
  }

  // ---- changes the reconciler makes ----

  /**
   * Moves a job from {@code from} to {@code to} with {@code update}, if it is still in {@code from}.
   *
   * @return the job after the change, or empty when it had moved on (then nothing changed)
   */
  public Optional<Job> transition(String id, JobState from, JobState to, String reason, JobUpdate update) {
    if (!from.canMoveTo(to)) {
      throw new IllegalArgumentException("A job cannot move from " + from + " to " + to);
    }
    Instant now = clock.instant();
    Optional<JobEvent> event = database.write("move job " + id + " to " + to, c -> {
      database.lockRow(c, "jobs", id);
      if (!setState(c, id, from, to, reason, update, now)) {
        return Optional.empty();
      }
      return Optional.of(insertEvent(c, id, now, SYSTEM_ACTOR, Optional.of(from), Optional.of(to), reason));
    });
    event.ifPresent(this::announce);
    return event.isEmpty() ? Optional.empty() : find(id);
  }

  /** Changes columns of a job still in {@code state}; returns false (and changes nothing) if it moved on. */
  public boolean update(String id, JobState state, JobUpdate update) {
    Instant now = clock.instant();
    return database.write("update job " + id, c -> {
      database.lockRow(c, "jobs", id);
      return setState(c, id, state, state, null, update, now);
    });
  }

  /** Changes columns of a job whatever its state (recording that a finished job's run was stopped). */
  public void updateAnyState(String id, JobUpdate update) {
    Instant now = clock.instant();
    database.write("update job " + id, c -> {
      database.lockRow(c, "jobs", id);
      setColumns(c, id, Optional.empty(), Optional.empty(), null, update, now);
      return null;
    });
  }

  /** Adds a line to the job's timeline (a build step, a retry), by the bridge. */
  public void note(String id, String message) {
    Instant now = clock.instant();
    database.write("note on job " + id, c -> {
      database.lockRow(c, "jobs", id);
      insertEvent(c, id, now, SYSTEM_ACTOR, Optional.empty(), Optional.empty(), message);
      return null;
    });
  }

  private boolean setState(Connection c, String id, JobState from, JobState to, String reason, JobUpdate update,
      Instant now) throws SQLException {
    return setColumns(c, id, Optional.of(from), Optional.of(to), reason, update, now);
  }

  private static boolean setColumns(Connection c, String id, Optional<JobState> from, Optional<JobState> to,
      String reason, JobUpdate update, Instant now) throws SQLException {
    Map<String, Object> columns = new LinkedHashMap<>(update.columns());
    columns.put("updated_micros", Times.micros(now));
    if (to.isPresent() && !to.equals(from)) {
      columns.put("state", to.get().name());
      columns.put("step_failures", update.columns().getOrDefault("step_failures", 0));
    }
    if (reason != null) {
      columns.put("reason", reason);
    }
    String set = columns.keySet().stream().map(name -> name + " = ?").collect(Collectors.joining(", "));
    String sql = "UPDATE jobs SET " + set + " WHERE id = ?" + (from.isPresent() ? " AND state = ?" : "");
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      int i = 1;
      for (Object value : columns.values()) {
        if (value == null) {
          statement.setNull(i++, Types.BIGINT);
        } else {
          statement.setObject(i++, value);
        }
      }
      statement.setString(i++, id);
      if (from.isPresent()) {
        statement.setString(i, from.get().name());
      }
      return statement.executeUpdate() == 1;
    }
  }

  // ---- reads ----

  public Optional<Job> find(String id) {
    return database.read("read job " + id, c -> load(c, "WHERE id = ?", List.of(id)).stream().findFirst());
  }

  public List<Job> list(JobQuery query) {
    List<Object> parameters = new ArrayList<>();
    List<String> visible = new ArrayList<>();
    if (!query.everyone()) {
      query.owner().ifPresent(owner -> {
        visible.add("owner = ?");
        parameters.add(owner);
      });
      query.provider().ifPresent(provider -> {
        visible.add("id IN (" + DECIDES_ON + ")");
        parameters.add(provider);
        parameters.add(provider);
      });
      if (visible.isEmpty()) {
        return List.of();
      }
    }
    List<String> conditions = new ArrayList<>();
    if (!visible.isEmpty()) {
      conditions.add("(" + String.join(" OR ", visible) + ")");
    }
    query.state().ifPresent(state -> {
      conditions.add("state = ?");
      parameters.add(state.name());
    });
    String where = (conditions.isEmpty() ? "" : "WHERE " + String.join(" AND ", conditions))
        + " ORDER BY submitted_micros DESC, id DESC LIMIT " + query.limit();
    return database.read("list jobs", c -> load(c, where, parameters));
  }

  /** Jobs the reconciler has work on: in flight, finished (waiting to be released), or over with a run to stop. */
  public List<Job> needingWork() {
    List<Object> parameters = new ArrayList<>();
    StringBuilder states = new StringBuilder();
    for (JobState s : JobState.values()) {
      if (!s.isFinal()) {
        states.append(states.isEmpty() ? "?" : ", ?");
        parameters.add(s.name());
      }
    }
    return database.read("list jobs to reconcile", c -> load(c, "WHERE state IN (" + states
        + ") OR (run_requested_micros IS NOT NULL AND run_stopped_micros IS NULL) ORDER BY submitted_micros", parameters));
  }

  public List<JobEvent> events(String id) {
    return database.read("read the timeline of job " + id, c -> {
      List<JobEvent> events = new ArrayList<>();
      try (PreparedStatement select = c.prepareStatement("SELECT seq, at_micros, actor, from_state, to_state, message"
          + " FROM job_events WHERE job_id = ? ORDER BY seq")) {
        select.setString(1, id);
        try (ResultSet r = select.executeQuery()) {
          while (r.next()) {
            events.add(new JobEvent(id, r.getLong(1), Times.instant(r.getLong(2)), r.getString(3),
                Optional.ofNullable(r.getString(4)).map(JobState::valueOf),
                Optional.ofNullable(r.getString(5)).map(JobState::valueOf), r.getString(6)));
          }
        }
      }
      return events;
    });
  }

  public Map<JobState, Long> countByState() {
    return database.read("count jobs", c -> {
      Map<JobState, Long> counts = new EnumMap<>(JobState.class);
      for (JobState s : JobState.values()) {
        counts.put(s, 0L);
      }
      try (PreparedStatement select = c.prepareStatement("SELECT state, COUNT(*) FROM jobs GROUP BY state");
          ResultSet r = select.executeQuery()) {
        while (r.next()) {
          counts.put(JobState.valueOf(r.getString(1)), r.getLong(2));
        }
      }
      return counts;
    });
  }

  private static long countInFlight(Connection c, String owner) throws SQLException {
    List<JobState> inFlight = List.copyOf(JobState.inFlight());
    String marks = inFlight.stream().map(s -> "?").collect(Collectors.joining(", "));
    try (PreparedStatement count = c.prepareStatement(
        "SELECT COUNT(*) FROM jobs WHERE owner = ? AND state IN (" + marks + ")")) {
      count.setString(1, owner);
      for (int i = 0; i < inFlight.size(); i++) {
        count.setString(i + 2, inFlight.get(i).name());
      }
      try (ResultSet r = count.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  private Job lockAndLoad(Connection c, String id) throws SQLException {
    database.lockRow(c, "jobs", id);
    return load(c, "WHERE id = ?", List.of(id)).stream().findFirst().orElseThrow(() -> BridgeException.notFound(id));
  }

  /** Jobs matching {@code where} (with its parameters), each with its datasets and decisions. */
  private static List<Job> load(Connection c, String where, List<?> parameters) throws SQLException {
    Map<String, JobRow> rows = new LinkedHashMap<>();
    try (PreparedStatement select = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM jobs " + where)) {
      for (int i = 0; i < parameters.size(); i++) {
        select.setObject(i + 1, parameters.get(i));
      }
      try (ResultSet r = select.executeQuery()) {
        while (r.next()) {
          JobRow row = JobRow.read(r);
          rows.put(row.id, row);
        }
      }
    }
    if (rows.isEmpty()) {
      return List.of();
    }
    String ids = rows.keySet().stream().map(id -> "?").collect(Collectors.joining(", "));
    Map<String, List<String>> reviewers = new HashMap<>();
    try (PreparedStatement select = c.prepareStatement("SELECT job_id, dataset, reviewer FROM job_reviewers"
        + " WHERE job_id IN (" + ids + ") ORDER BY job_id, dataset, reviewer")) {
      bindAll(select, rows.keySet());
      try (ResultSet r = select.executeQuery()) {
        while (r.next()) {
          reviewers.computeIfAbsent(r.getString(1) + "/" + r.getString(2), k -> new ArrayList<>()).add(r.getString(3));
        }
      }
    }
    try (PreparedStatement select = c.prepareStatement("SELECT job_id, dataset, provider, release_required, approvers"
        + " FROM job_datasets WHERE job_id IN (" + ids + ") ORDER BY job_id, position")) {
      bindAll(select, rows.keySet());
      try (ResultSet r = select.executeQuery()) {
        while (r.next()) {
          rows.get(r.getString(1)).datasets.add(new JobDataset(r.getString(2), r.getString(3), r.getInt(4) == 1,
              r.getInt(5), reviewers.getOrDefault(r.getString(1) + "/" + r.getString(2), List.of())));
        }
      }
    }
    try (PreparedStatement select = c.prepareStatement("SELECT job_id, provider, kind, comment, decided_micros"
        + " FROM job_decisions WHERE job_id IN (" + ids + ") ORDER BY job_id, seq")) {
      bindAll(select, rows.keySet());
      try (ResultSet r = select.executeQuery()) {
        while (r.next()) {
          rows.get(r.getString(1)).decisions.add(new Decision(r.getString(2), Decision.Kind.valueOf(r.getString(3)),
              r.getString(4), Times.instant(r.getLong(5))));
        }
      }
    }
    return rows.values().stream().map(JobRow::toJob).toList();
  }

  private static void bindAll(PreparedStatement statement, Iterable<String> values) throws SQLException {
    int i = 1;
    for (String v : values) {
      statement.setString(i++, v);
    }
  }

  /** A row of {@code jobs} while its datasets and decisions are read. */
  private static final class JobRow {
    private String id;
    private String owner;
    private String name;
    private JobState state;
    private String reason;
    private String notebookSha256;
    private long notebookBytes;
    private long timeoutSeconds;
    private Instant submitted;
    private Instant updated;
    private Optional<String> imageReference;
    private Optional<String> imageDigest;
    private TeeRun run;
    private int stepFailures;
    private boolean hasReport;
    private final List<JobDataset> datasets = new ArrayList<>();
    private final List<Decision> decisions = new ArrayList<>();

    static JobRow read(ResultSet r) throws SQLException {
      JobRow row = new JobRow();
      row.id = r.getString(1);
      row.owner = r.getString(2);
      row.name = r.getString(3);
      row.state = JobState.valueOf(r.getString(4));
      row.reason = r.getString(5);
      row.notebookSha256 = r.getString(6);
      row.notebookBytes = r.getLong(7);
      row.timeoutSeconds = r.getLong(8);
      row.submitted = Times.instant(r.getLong(9));
      row.updated = Times.instant(r.getLong(10));
      row.imageReference = Optional.ofNullable(r.getString(11));
      row.imageDigest = Optional.ofNullable(r.getString(12));
      row.run = new TeeRun(instant(r, 13), Optional.ofNullable(r.getString(14)), instant(r, 15), instant(r, 16),
          r.getInt(17));
      row.stepFailures = r.getInt(18);
      row.hasReport = r.getInt(19) == 1;
      return row;
    }

    private static Optional<Instant> instant(ResultSet r, int column) throws SQLException {
      long micros = r.getLong(column);
      return r.wasNull() ? Optional.empty() : Optional.of(Times.instant(micros));
    }

    Job toJob() {
      return new Job(id, owner, name, datasets, state, reason, notebookSha256, notebookBytes,
          Duration.ofSeconds(timeoutSeconds), submitted, updated, imageReference, imageDigest, run, stepFailures,
          hasReport, decisions);
    }
  }

  private static long nextSeq(Connection c, String table, String jobId) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) + 1 FROM " + table + " WHERE job_id = ?")) {
      select.setString(1, jobId);
      try (ResultSet r = select.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  private static JobEvent insertEvent(Connection c, String jobId, Instant at, String actor, Optional<JobState> from,
      Optional<JobState> to, String message) throws SQLException {
    long seq = nextSeq(c, "job_events", jobId);
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO job_events"
        + " (job_id, seq, at_micros, actor, from_state, to_state, message) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, jobId);
      insert.setLong(2, seq);
      insert.setLong(3, Times.micros(at));
      insert.setString(4, actor);
      insert.setString(5, from.map(Enum::name).orElse(null));
      insert.setString(6, to.map(Enum::name).orElse(null));
      insert.setString(7, message);
      insert.executeUpdate();
    }
    return new JobEvent(jobId, seq, at, actor, from, to, message);
  }

  private void announce(JobEvent event) {
    for (Consumer<JobEvent> listener : stateListeners) {
      listener.accept(event);
    }
  }

  // ---- the audit log ----

  /** Appends an entry on its own: a refused action, or a download about to be served. */
  public void audit(String actor, String action, Optional<String> jobId, String outcome, String detail) {
    Instant now = clock.instant();
    database.write("append to the audit log", c -> {
      appendAudit(c, now, actor, action, jobId, outcome, detail);
      return null;
    });
  }

  private void appendAudit(Connection c, Instant at, String actor, String action, Optional<String> jobId,
      String outcome, String detail) throws SQLException {
    database.lockKey(c, "audit_log", "tail");
    long seq;
    String previous;
    try (PreparedStatement last = c.prepareStatement("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
        ResultSet r = last.executeQuery()) {
      seq = r.next() ? r.getLong(1) + 1 : 1;
      previous = seq == 1 ? GENESIS : r.getString(2);
    }
    long micros = Times.micros(at);
    String hash = chainHash(previous, seq, micros, actor, action, jobId.orElse(""), outcome, detail);
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO audit_log"
        + " (seq, at_micros, actor, action, job_id, outcome, detail, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      insert.setLong(1, seq);
      insert.setLong(2, micros);
      insert.setString(3, actor);
      insert.setString(4, action);
      insert.setString(5, jobId.orElse(null));
      insert.setString(6, outcome);
      insert.setString(7, detail);
      insert.setString(8, hash);
      insert.executeUpdate();
    }
  }

  /**
   * The audit log, newest first: every entry, or those about jobs reading a dataset of {@code provider}, or
   * about one job.
   */
  public List<AuditEntry> auditLog(Optional<String> provider, Optional<String> jobId, int limit) {
    List<Object> parameters = new ArrayList<>();
    List<String> conditions = new ArrayList<>();
    provider.ifPresent(p -> {
      conditions.add("job_id IN (" + DECIDES_ON + ")");
      parameters.add(p);
      parameters.add(p);
    });
    jobId.ifPresent(id -> {
      conditions.add("job_id = ?");
      parameters.add(id);
    });
    String sql = "SELECT seq, at_micros, actor, action, job_id, outcome, detail, hash FROM audit_log"
        + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions))
        + " ORDER BY seq DESC LIMIT " + Math.max(1, Math.min(limit, 10_000));
    return database.read("read the audit log", c -> {
      List<AuditEntry> entries = new ArrayList<>();
      try (PreparedStatement select = c.prepareStatement(sql)) {
        for (int i = 0; i < parameters.size(); i++) {
          select.setObject(i + 1, parameters.get(i));
        }
        try (ResultSet r = select.executeQuery()) {
          while (r.next()) {
            entries.add(new AuditEntry(r.getLong(1), Times.instant(r.getLong(2)), r.getString(3), r.getString(4),
                Optional.ofNullable(r.getString(5)), r.getString(6), r.getString(7), r.getString(8)));
          }
        }
      }
      return entries;
    });
  }

  /**
   * Recomputes the audit log's hash chain from the first entry.
   *
   * @return the number of entries, all intact
   * @throws IllegalStateException naming the first entry whose hash or number does not follow from the one before
   */
  public long verifyAuditChain() {
    return database.read("check the audit log", c -> {
      String previous = GENESIS;
      long expected = 1;
      try (PreparedStatement select = c.prepareStatement("SELECT seq, at_micros, actor, action, job_id, outcome,"
          + " detail, hash FROM audit_log ORDER BY seq"); ResultSet r = select.executeQuery()) {
        while (r.next()) {
          long seq = r.getLong(1);
          String hash = chainHash(previous, seq, r.getLong(2), r.getString(3), r.getString(4),
              Optional.ofNullable(r.getString(5)).orElse(""), r.getString(6), r.getString(7));
          if (seq != expected || !hash.equals(r.getString(8))) {
            throw new IllegalStateException("The audit log's chain breaks at entry " + seq + ": an entry before or at it"
                + " was changed or removed");
          }
          previous = hash;
          expected++;
        }
      }
      return expected - 1;
    });
  }

  private static String chainHash(String previous, long seq, long micros, String... fields) {
    StringBuilder text = new StringBuilder(previous).append('\n').append(seq).append('\n').append(micros);
    for (String field : fields) {
      // Length-prefixed, so no two different entries hash the same text.
      text.append('\n').append(field.length()).append(':').append(field);
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public void close() {
    database.close();
  }
}
