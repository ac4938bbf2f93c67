import dev.cleanroom.dp.engine.DpQueryEngine;
import dev.cleanroom.dp.ledger.PrivacyLedger;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.source.RowSource;
import dev.cleanroom.dp.source.RowSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Ours in the scale benchmark: loads the data as the DP query service does (RowSources: the heap table or
 * DuckDB, as DCR_ENGINE says) and answers the four queries through DpQueryEngine, charged in a ledger, timing
 * each. Prints one JSON object: load seconds, per-query times, peak RSS (VmHWM).
 *
 * usage: java -cp <dp-engine classes and dependencies> ScaleBench.java <data> <policy.yaml> <repeats>
 */
public final class ScaleBench {
  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    DatasetPolicy policy = PolicyFile.read(Path.of(args[1]));
    int repeats = Integer.parseInt(args[2]);
    Path ledgerFile = Files.createTempFile("scale-ledger", ".db");
    long start = System.nanoTime();
    try (RowSource rows = RowSources.open(data, policy);
        PrivacyLedger ledger = PrivacyLedger.open("jdbc:sqlite:" + ledgerFile)) {
      double load = (System.nanoTime() - start) / 1e9;
      DpQueryEngine engine = new DpQueryEngine(rows, "scale", ledger);
      Map<String, Supplier<Object>> queries = new java.util.LinkedHashMap<>();
      queries.put("mean", () -> engine.answer("alice", id(), DpQuery.mean("income", 1.0), Map.of()).answer().value());
      queries.put("filtered_mean", () -> engine.answer("alice", id(), DpQuery.mean("income", 1.0),
          Map.of("smoker", "yes")).answer().value());
      queries.put("group_by_mean", () -> engine.answerByGroup("alice", id(), DpQuery.mean("income", 1.0), Map.of(),
          "region").groups().size());
      queries.put("quantile", () -> engine.answer("alice", id(), DpQuery.median("age", 1.0), Map.of()).answer().value());
      StringBuilder json = new StringBuilder("{\"engine\": \"" + rows.getClass().getSimpleName()
          + "\", \"load_s\": " + load + ", \"queries\": {");
      boolean first = true;
      for (var query : queries.entrySet()) {
        query.getValue().get(); // warm-up: the JIT, DuckDB's caches
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
          long t = System.nanoTime();
          query.getValue().get();
          times.add((System.nanoTime() - t) / 1e6);
        }
        json.append(first ? "" : ", ").append('"').append(query.getKey()).append("\": ").append(times);
        first = false;
        System.err.printf(Locale.ROOT, "  %s: p50 %.1f ms%n", query.getKey(), percentile(times, 0.5));
      }
      json.append("}, \"peak_rss_bytes\": ").append(peakRss()).append('}');
      System.out.println(json);
    } finally {
      Files.deleteIfExists(ledgerFile);
    }
  }

  private static String id() {
    return UUID.randomUUID().toString();
  }

  static double percentile(List<Double> values, double q) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  }

  /** The process's peak resident set (VmHWM): the JVM's heap and DuckDB's native memory together. */
  private static long peakRss() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }
}
