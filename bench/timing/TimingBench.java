import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.mechanisms.GroupedQuery;
import dev.cleanroom.dp.mechanisms.Mechanisms;
import dev.cleanroom.dp.mechanisms.PreparedQuery;
import dev.cleanroom.dp.mechanisms.RowFilter;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.table.PrivateTable;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * How long a filtered DP query takes when its filter keeps no row, half the rows or every row: the code the
 * engine runs after a charge (rows partitioned by the filter, mechanism run on them), beside the
 * same mechanism run on the kept rows only, as the engine did before issue 15. Runs are interleaved in a
 * shuffled order so that drift of the machine falls on every case alike.
 *
 * <p>usage: TimingBench ROWS REPETITIONS OUT_DIR (writes timing.json and timing.md)
 */
public final class TimingBench {
  private static final List<String> FILTERS = List.of("none kept", "half kept", "all kept");

  /** One table size's results: its part of timing.json, and its wall-clock and CPU tables for timing.md. */
  private record Section(String json, String wallTable, String cpuTable) {}

  public static void main(String[] args) throws Exception {
    double loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    int[] sizes = Arrays.stream(args[0].split(",")).mapToInt(size -> Integer.parseInt(size.strip())).toArray();
    int repetitions = Integer.parseInt(args[1]);
    Path out = Path.of(args[2]);
    StringBuilder json = new StringBuilder("{\n  \"repetitions\": " + repetitions + ",\n  \"cpus\": "
        + Runtime.getRuntime().availableProcessors() + ",\n  \"sizes\": [\n");
    StringBuilder wall = new StringBuilder();
    StringBuilder cpu = new StringBuilder();
    for (int i = 0; i < sizes.length; i++) {
      Section section = measure(sizes[i], repetitions);
      json.append(i == 0 ? "" : ",\n").append(section.json());
      String title = String.format(Locale.ROOT, "%n### %,d rows%n%n", sizes[i]);
      wall.append(title).append(header()).append(section.wallTable());
      cpu.append(title).append(header()).append(section.cpuTable());
    }
    json.append("\n  ]\n}\n");
    Files.writeString(out.resolve("timing.json"), json);
    String md = "# Timing of filtered DP queries\n\n"
        + "`./dcr bench timing` (bench/timing/run.sh). " + Arrays.stream(sizes).mapToObj(n -> String.format(Locale.ROOT,
            "%,d", n)).collect(java.util.stream.Collectors.joining(" and ")) + " rows, "
        + repetitions + " runs of each case after 5 warm-up rounds, all cases interleaved in a shuffled order, one JVM "
        + "(-Xmx2g), " + Runtime.getRuntime().availableProcessors()
        + " CPUs shared with whatever else runs (load average at the start: "
        + String.format(Locale.ROOT, "%.1f", loadAtStart)
        + "). Time of the work the engine does after a charge, in milliseconds: the rows partitioned by the filter and "
        + "the mechanism run (building the mechanism reads no row and comes before the charge; it is not timed). "
        + "`mean by region` is a group-by of the four regions on the filtered rows.\n\n"
        + "**now** runs the mechanism on the rows the filter keeps and again, answer discarded, on the rows it drops, "
        + "each part a range of one ordering of all rows whose values OpenDP gets straight from the table's columns "
        + "(no per-part copy, so the same allocations whatever the filter keeps); **before** runs it on the kept rows "
        + "only, as the engine did before issue 15.\n\n"
        + "## Response time (wall clock)\n" + wall
        + "\n## CPU time of the query's thread\n\nThe same runs, counting only the time the query's own thread was on a "
        + "CPU (its native OpenDP calls included, garbage collection and other processes not): what the work costs, "
        + "with the machine's contention taken out.\n" + cpu;
    Files.writeString(out.resolve("timing.md"), md);
    System.out.print(md);
  }

  private static Section measure(int rows, int repetitions) {
    DatasetPolicy policy = DatasetPolicy.builder("timing")
        .column(new ColumnPolicy.Numeric("x", 0, 1000))
        .column(new ColumnPolicy.Categorical("region", List.of("north", "south", "east", "west")))
        .column(new ColumnPolicy.Categorical("half", List.of("a", "b")))
        .column(new ColumnPolicy.Categorical("every", List.of("yes", "no")))
        .budgetPerScientist(PrivacyCost.pure(1e6))
        .maxPerQuery(PrivacyCost.pure(10))
        .build();
    Random random = new Random(15);
    List<List<String>> data = new ArrayList<>(rows);
    List<String> regions = List.of("north", "south", "east", "west");
    for (int i = 0; i < rows; i++) {
      data.add(List.of(Integer.toString(random.nextInt(1001)), regions.get(random.nextInt(4)), i % 2 == 0 ? "a" : "b",
          "yes"));
    }
    PrivateTable table = PrivateTable.of(new CsvFile(List.of("x", "region", "half", "every"), data), policy);
    Map<String, Map<String, String>> filters = new LinkedHashMap<>();
    filters.put("none kept", Map.of("every", "no"));
    filters.put("half kept", Map.of("half", "a"));
    filters.put("all kept", Map.of("every", "yes"));
    Map<String, DpQuery<?>> queries = new LinkedHashMap<>();
    queries.put("count", DpQuery.count(1));
    queries.put("sum", DpQuery.sum("x", 1));
    queries.put("mean", DpQuery.mean("x", 1));
    queries.put("histogram", DpQuery.histogram("region", 1));
    queries.put("median", DpQuery.median("x", 1));
    queries.put("mean by region", DpQuery.mean("x", 1));
    Mechanisms mechanisms = new Mechanisms(policy);

    record Case(String query, String filter, boolean now) {}
    List<Case> cases = new ArrayList<>();
    for (String query : queries.keySet()) {
      for (String filter : FILTERS) {
        cases.add(new Case(query, filter, true));
        cases.add(new Case(query, filter, false));
      }
    }
    Map<Case, List<Double>> millis = new LinkedHashMap<>();
    Map<Case, List<Double>> cpuMillis = new LinkedHashMap<>();
    cases.forEach(c -> millis.put(c, new ArrayList<>()));
    cases.forEach(c -> cpuMillis.put(c, new ArrayList<>()));
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    int warmUp = 5;
    for (int round = 0; round < warmUp + repetitions; round++) {
      List<Case> order = new ArrayList<>(cases);
      Collections.shuffle(order, random);
      for (Case c : order) {
        DpQuery<?> query = queries.get(c.query());
        Map<String, String> where = filters.get(c.filter());
        boolean grouped = c.query().endsWith("by region");
        // Building the mechanism reads no row and happens before the charge: only the release is timed.
        long start;
        long cpuStart;
        if (grouped) {
          try (GroupedQuery<?> prepared = mechanisms.prepareByGroup(query, where, "region")) {
            cpuStart = threads.getCurrentThreadCpuTime();
            start = System.nanoTime();
            if (c.now()) {
              prepared.release(RowFilter.partition(table, where, Optional.of("region")));
            } else {
              prepared.release(keptRowsOnly(table, where));
            }
          }
        } else {
          try (PreparedQuery<?> prepared = mechanisms.prepare(query)) {
            cpuStart = threads.getCurrentThreadCpuTime();
            start = System.nanoTime();
            if (c.now()) {
              prepared.release(RowFilter.partition(table, where, Optional.empty()));
            } else {
              prepared.release(keptRowsOnly(table, where));
            }
          }
        }
        double elapsed = (System.nanoTime() - start) / 1e6;
        double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6;
        if (round >= warmUp) {
          millis.get(c).add(elapsed);
          cpuMillis.get(c).add(cpu);
        }
      }
    }

    StringBuilder json = new StringBuilder("    {\"rows\": " + rows + ", \"cases\": [\n");
    StringBuilder wallTable = new StringBuilder();
    StringBuilder cpuTable = new StringBuilder();
    boolean first = true;
    for (String query : queries.keySet()) {
      for (boolean now : List.of(true, false)) {
        String head = "| " + query + " | " + (now ? "**now**: kept + dropped rows" : "before: kept rows only") + " |";
        StringBuilder wallLine = new StringBuilder(head);
        StringBuilder cpuLine = new StringBuilder(head);
        for (String filter : FILTERS) {
          Case c = new Case(query, filter, now);
          double[] wall = sorted(millis.get(c));
          double[] cpu = sorted(cpuMillis.get(c));
          wallLine.append(String.format(Locale.ROOT, " %.2f | %.2f |", percentile(wall, 0.5), percentile(wall, 0.95)));
          cpuLine.append(String.format(Locale.ROOT, " %.2f | %.2f |", percentile(cpu, 0.5), percentile(cpu, 0.95)));
          json.append(first ? "" : ",\n").append(String.format(Locale.ROOT,
              "      {\"query\": \"%s\", \"mode\": \"%s\", \"filter\": \"%s\", \"median_ms\": %.4f, \"p95_ms\": %.4f,"
                  + " \"cpu_median_ms\": %.4f, \"cpu_p95_ms\": %.4f, \"ms\": %s, \"cpu_ms\": %s}",
              query, now ? "now" : "before", filter, percentile(wall, 0.5), percentile(wall, 0.95),
              percentile(cpu, 0.5), percentile(cpu, 0.95), Arrays.toString(wall), Arrays.toString(cpu)));
          first = false;
        }
        wallTable.append(wallLine).append('\n');
        cpuTable.append(cpuLine).append('\n');
      }
    }
    json.append("\n    ]}");
    return new Section(json.toString(), wallTable.toString(), cpuTable.toString());
  }


  /** The engine's filter before issue 15: one pass collecting the kept rows, and a table of those only. */
  private static PrivateTable keptRowsOnly(PrivateTable table, Map<String, String> where) {
    List<List<String>> columns = where.keySet().stream().map(table::categorical).toList();
    List<String> categories = List.copyOf(where.values());
    IntStream.Builder kept = IntStream.builder();
    for (int row = 0; row < table.rows(); row++) {
      boolean matches = true;
      for (int i = 0; i < columns.size() && matches; i++) {
        matches = columns.get(i).get(row).equals(categories.get(i));
      }
      if (matches) {
        kept.add(row);
      }
    }
    return table.subset(kept.build().toArray());
  }

  private static String header() {
    return "| query | mode | none kept: median | p95 | half kept: median | p95 | all kept: median | p95 |\n"
        + "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  }

  private static double[] sorted(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  private static double percentile(double[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
  }
}
