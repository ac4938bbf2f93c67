package dev.cleanroom.bridge.metrics;

import dev.cleanroom.bridge.job.JobState;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bridge's metrics in the Prometheus text format ({@code GET /metrics}): requests by route and status,
 * request latency, state changes, reconciler step failures, and (read at scrape time) jobs by state.
 */
public final class Metrics {
  private static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private final Map<List<String>, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
  private final Map<JobState, LongAdder> transitions = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> stepFailures = new ConcurrentHashMap<>();

  private static final class Histogram {
    private final LongAdder[] counts = new LongAdder[BUCKETS.length + 1];
    private final LongAdder sumMicros = new LongAdder();

    Histogram() {
      for (int i = 0; i < counts.length; i++) {
        counts[i] = new LongAdder();
      }
    }

    void observe(long nanos) {
      double seconds = nanos / 1e9;
      int i = 0;
      while (i < BUCKETS.length && seconds > BUCKETS[i]) {
        i++;
      }
      counts[i].increment();
      sumMicros.add(nanos / 1000);
    }
  }

  /** One answered request; {@code route} is the contract's operation id (or {@code other}). */
  public void request(String method, String route, int status, long nanos) {
    requests.computeIfAbsent(List.of(method, route, Integer.toString(status)), k -> new LongAdder()).increment();
    latency.computeIfAbsent(route, k -> new Histogram()).observe(nanos);
  }

  public void transition(JobState to) {
    transitions.computeIfAbsent(to, k -> new LongAdder()).increment();
  }

  public void stepFailed(String step) {
    stepFailures.computeIfAbsent(step, k -> new LongAdder()).increment();
  }

  /** The text exposition, with {@code jobsByState} read by the caller at scrape time. */
  public String render(Map<JobState, Long> jobsByState) {
    StringBuilder out = new StringBuilder();
    family(out, "dcr_bridge_http_requests_total", "counter", "HTTP requests answered, by method, route and status.");
    new TreeMap<>(flatten(requests)).forEach((labels, n) -> out.append("dcr_bridge_http_requests_total").append(labels)
        .append(' ').append(n).append('\n'));

    family(out, "dcr_bridge_http_request_duration_seconds", "histogram", "Time to answer a request, by route.");
    new TreeMap<>(latency).forEach((route, h) -> {
      long cumulative = 0;
      for (int i = 0; i <= BUCKETS.length; i++) {
        cumulative += h.counts[i].sum();
        String le = i < BUCKETS.length ? trim(BUCKETS[i]) : "+Inf";
        out.append("dcr_bridge_http_request_duration_seconds_bucket{route=\"").append(route).append("\",le=\"")
            .append(le).append("\"} ").append(cumulative).append('\n');
      }
      out.append("dcr_bridge_http_request_duration_seconds_sum{route=\"").append(route).append("\"} ")
          .append(String.format(Locale.ROOT, "%.6f", h.sumMicros.sum() / 1e6)).append('\n');
      out.append("dcr_bridge_http_request_duration_seconds_count{route=\"").append(route).append("\"} ")
          .append(cumulative).append('\n');
    });

    family(out, "dcr_bridge_jobs", "gauge", "Jobs in the database, by state.");
    jobsByState.forEach((state, n) -> out.append("dcr_bridge_jobs{state=\"").append(state).append("\"} ").append(n)
        .append('\n'));

    family(out, "dcr_bridge_job_transitions_total", "counter", "State changes since the bridge started, by new state.");
    for (JobState state : JobState.values()) {
      LongAdder n = transitions.get(state);
      out.append("dcr_bridge_job_transitions_total{state=\"").append(state).append("\"} ")
          .append(n == null ? 0 : n.sum()).append('\n');
    }

    family(out, "dcr_bridge_reconciler_step_failures_total", "counter",
        "Reconciler steps that failed and will be retried, by step.");
    new TreeMap<>(stepFailures).forEach((step, n) -> out.append("dcr_bridge_reconciler_step_failures_total{step=\"")
        .append(step).append("\"} ").append(n.sum()).append('\n'));
    return out.toString();
  }

  private static Map<String, Long> flatten(Map<List<String>, LongAdder> counters) {
    Map<String, Long> flat = new TreeMap<>();
    counters.forEach((k, v) -> flat.put("{method=\"" + k.get(0) + "\",route=\"" + k.get(1) + "\",status=\"" + k.get(2)
        + "\"}", v.sum()));
    return flat;
  }

  private static void family(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static String trim(double d) {
    String s = Double.toString(d);
    return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
  }
}
