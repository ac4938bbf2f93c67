package dev.cleanroom.bridge.store;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Column changes the reconciler makes to a job along with (or without) a state change. Only the columns named
 * here can be set, so nothing from a request ever becomes a column name.
 */
public final class JobUpdate {
  private final Map<String, Object> columns = new LinkedHashMap<>();

  public static JobUpdate none() {
    return new JobUpdate();
  }

  public JobUpdate image(String reference, String digest) {
    columns.put("image_reference", reference);
    columns.put("image_digest", digest);
    return this;
  }

  /** Written before the backend is asked to launch: from now on a run may exist. */
  public JobUpdate runRequested(Instant at) {
    columns.put("run_requested_micros", Times.micros(at));
    columns.put("run_stopped_micros", null);
    return this;
  }

  public JobUpdate runStarted(String where, Instant launchedAt, int launches) {
    columns.put("run_where", where);
    columns.put("run_launched_micros", Times.micros(launchedAt));
    columns.put("run_launches", launches);
    return this;
  }

  public JobUpdate runStopped(Instant at) {
    columns.put("run_stopped_micros", Times.micros(at));
    return this;
  }

  public JobUpdate stepFailures(int count) {
    columns.put("step_failures", count);
    return this;
  }

  public JobUpdate hasReport(boolean value) {
    columns.put("has_report", value ? 1 : 0);
    return this;
  }

  Map<String, Object> columns() {
    return Collections.unmodifiableMap(columns);
  }
}
