import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.PolicyFile;
import dev.cleanroom.dp.synth.InsuranceUtility;
import dev.cleanroom.dp.synth.SynthesisPlan;
import dev.cleanroom.dp.synth.Synthesizer;
import dev.cleanroom.dp.synth.SyntheticTable;
import dev.cleanroom.dp.table.CsvFile;
import dev.cleanroom.dp.table.PrivateTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The Java side of the synthetic-data benchmark: runs our synthesizer, scores it, the peers' outputs
 * (written by peer_opendp.py before) and the published anchor with the utility gate's measures
 * (dp-engine's InsuranceUtility, the same code the gate test uses), and writes the results.
 *
 * <p>usage: SynthBench.java &lt;dataset dir&gt; &lt;epsilon&gt; &lt;delta&gt; &lt;runs&gt; &lt;results dir&gt;
 * [&lt;peer dir&gt; &lt;peer label&gt;]...
 */
public class SynthBench {
  /** @param nullRows per run, the rows a peer left with a null (none for ours) */
  record Scores(List<Double> tvd, List<Double> rmse, List<Double> seconds, List<Double> nullRows) {
    static Scores empty() {
      return new Scores(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }
  }

  public static void main(String[] args) throws IOException {
    Path dataset = Path.of(args[0]);
    PrivacyCost budget = new PrivacyCost(Double.parseDouble(args[1]), Double.parseDouble(args[2]));
    int runs = Integer.parseInt(args[3]);
    Path results = Path.of(args[4]);
    // The rest: a peer's output folder and its label, for each peer.
    Map<String, Path> peerDirs = new java.util.LinkedHashMap<>();
    for (int i = 5; i + 1 < args.length; i += 2) {
      peerDirs.put(args[i + 1], Path.of(args[i]));
    }

    DatasetPolicy policy = PolicyFile.read(dataset.resolve("policy.yaml"));
    PrivateTable table = PrivateTable.load(dataset.resolve("real.csv"), policy);
    CsvFile real = CsvFile.read(dataset.resolve("real.csv"));

    Scores ours = Scores.empty();
    SynthesisPlan plan = null;
    List<String> trees = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      long start = System.nanoTime();
      SyntheticTable synthetic = Synthesizer.synthesize(table, budget, new SplittableRandom(run));
      ours.seconds().add((System.nanoTime() - start) / 1e9);
      plan = synthetic.plan();
      trees.add(synthetic.measuredPairs().stream().map(p -> p.first() + "–" + p.second())
          .collect(Collectors.joining(", ")));
      score(ours, real, synthetic.rows());
      System.err.printf(Locale.ROOT, "ours run %d/%d: %.2f s%n", run + 1, runs, ours.seconds().getLast());
    }

    Map<String, Scores> peers = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, Path> peerDir : peerDirs.entrySet()) {
      String peerJson = Files.readString(peerDir.getValue().resolve("peer.json"));
      Scores peer = Scores.empty();
      peer.seconds().addAll(numbers(peerJson, "seconds"));
      peer.nullRows().addAll(numbers(peerJson, "null_rows"));
      for (int run = 0; run < runs; run++) {
        score(peer, real, CsvFile.read(peerDir.getValue().resolve("peer-" + run + ".csv")));
      }
      Map<String, Integer> peerBins = binCounts(peerJson);
      if (!peerBins.equals(plan.binsPerColumn())) {
        throw new IllegalStateException("the peer cut the columns into " + peerBins + " bins, ours into "
            + plan.binsPerColumn() + "; peer_opendp.py no longer follows Bins.java");
      }
      peers.put(peerDir.getKey(), peer);
    }

    CsvFile anchor = CsvFile.read(dataset.resolve("anchor-mst-synthetic.csv"));
    double anchorTvd = InsuranceUtility.meanPairwiseTvd(real, anchor);
    double anchorRmse = InsuranceUtility.regressionRmse(anchor, real);
    double realTrained = InsuranceUtility.regressionRmse(real, real);

    Files.createDirectories(results);
    Files.writeString(results.resolve("synth.json"),
        json(budget, runs, plan, ours, peers, anchorTvd, anchorRmse, realTrained, trees));
    String report = markdown(budget, runs, plan, ours, peers, anchorTvd, anchorRmse, realTrained, trees);
    Files.writeString(results.resolve("synth.md"), report);
    System.out.print(report);
  }

  private static void score(Scores scores, CsvFile real, CsvFile synthetic) {
    scores.tvd().add(InsuranceUtility.meanPairwiseTvd(real, synthetic));
    scores.rmse().add(InsuranceUtility.regressionRmse(synthetic, real));
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
  }

  private static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
  }

  private static String row(String name, Scores s) {
    return String.format(Locale.ROOT, "| %s | %.3f (%.3f–%.3f) | %,.0f (%,.0f–%,.0f) | %.2f s (%.2f–%.2f) |%n",
        name,
        median(s.tvd()), min(s.tvd()), max(s.tvd()), median(s.rmse()), min(s.rmse()), max(s.rmse()),
        median(s.seconds()), min(s.seconds()), max(s.seconds()));
  }

  private static String markdown(PrivacyCost budget, int runs, SynthesisPlan plan, Scores ours,
      Map<String, Scores> peers, double anchorTvd, double anchorRmse, double realTrained, List<String> trees) {
    StringBuilder md = new StringBuilder();
    md.append("# DP synthetic data: our MST against OpenDP's MST and AIM\n\n");
    md.append(String.format(Locale.ROOT, "Written by `./dcr bench synth` on %s (%d CPUs, Java %s). Insurance data "
        + "(1,338 rows, 7 columns), budget %s, %d runs each. The utility gate's measures (issue 4): mean total "
        + "variation distance over all 21 two-way marginals on the gate's bins, and the RMSE on the real rows of "
        + "a linear regression of charges on age, bmi, smoker and smoker × bmi fitted to the synthetic rows. "
        + "Lower is better for both. Median (min–max) over the runs; time is wall time per synthesis.%n%n",
        LocalDate.now(), Runtime.getRuntime().availableProcessors(), Runtime.version().feature(),
        budget, runs));
    md.append("| synthesizer | mean pairwise TVD | regression RMSE | time per run |\n");
    md.append("| --- | --- | --- | --- |\n");
    md.append(row("ours (dp-engine `Synthesizer`, OpenDP noise)", ours));
    peers.forEach((label, peer) -> md.append(row(label, peer)));
    md.append(String.format(Locale.ROOT,
        "| anchor: published MST output (anchor-mst-synthetic.csv), one run | %.3f | %,.0f | — |%n",
        anchorTvd, anchorRmse));
    md.append(String.format(Locale.ROOT,
        "| for scale: model fitted on the real rows | 0 | %,.0f | — |%n%n", realTrained));
    md.append(String.format(Locale.ROOT, "Gate: median of 5 below the anchor on both (%.3f, %,.0f). Goal: 0.10 and "
        + "7,000.%n%n", anchorTvd, anchorRmse));
    md.append(String.format(Locale.ROOT, "Our plan (fixed by the policy and budget before any data is read): %s. "
        + "Spent by OpenDP's accounting: %s.%n%n", plan, plan.cost()));
    md.append("Pairs our runs measured (chosen privately):\n\n");
    for (int run = 0; run < trees.size(); run++) {
      md.append(String.format(Locale.ROOT, "%d. %s%n", run + 1, trees.get(run)));
    }
    md.append("\nEvery synthesizer gets the same discretisation (round-width bins over the policy's bounds, at most "
        + "16 per column; the peers get the bin codes with every code declared as a key) and values are drawn "
        + "uniformly within a bin. The peers are OpenDP's own `opendp[mbi]` (`Context.contingency_table` with "
        + "`dp.mbi.MST()` and `dp.mbi.AIM()`), given the same zCDP ρ as ours (OpenDP refuses a δ when every "
        + "column's keys are declared), rounded down to a multiple of 2⁻²⁰ (MST refuses an unrounded ρ by one ulp); "
        + "their times include JAX compilation in their process. Rows a peer left with a null (scored without "
        + "them), per run: ");
    peers.forEach((label, peer) -> md.append(label.split(" \\(")[0]).append(' ')
        .append(peer.nullRows().stream().map(n -> String.valueOf(n.intValue())).collect(Collectors.joining(", ")))
        .append("; "));
    md.append("of 1,338. Raw numbers: synth.json.\n");
    return md.toString();
  }

  private static String json(PrivacyCost budget, int runs, SynthesisPlan plan, Scores ours,
      Map<String, Scores> peers, double anchorTvd, double anchorRmse, double realTrained, List<String> trees) {
    return String.format(Locale.ROOT, """
        {
          "date": "%s",
          "cpus": %d,
          "epsilon": %s,
          "delta": %s,
          "runs": %d,
          "ours": {"spent": {"epsilon": %s, "delta": %s}, "rho": %s, "one_way_sigma": %s, "selection_scale": %s,
                   "two_way_sigma": %s, "bins": %s, "pairs": %s, %s},
          "peers": [%s],
          "anchor": {"tvd": %s, "rmse": %s},
          "real_trained_rmse": %s
        }
        """, LocalDate.now(), Runtime.getRuntime().availableProcessors(), budget.epsilon(), budget.delta(), runs,
        plan.cost().epsilon(), plan.cost().delta(), plan.rho(), plan.oneWayScale(), plan.selectionScale(),
        plan.twoWayScale(), plan.binsPerColumn().entrySet().stream()
            .map(e -> "\"" + e.getKey() + "\": " + e.getValue()).collect(Collectors.joining(", ", "{", "}")),
        trees.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", ", "[", "]")), scores(ours),
        peers.entrySet().stream().map(e -> "{\"name\": \"" + e.getKey().replace("\"", "'") + "\", " + scores(e.getValue())
            + ", \"null_rows\": " + e.getValue().nullRows() + "}").collect(Collectors.joining(", ")),
        anchorTvd, anchorRmse, realTrained);
  }

  private static String scores(Scores s) {
    return String.format(Locale.ROOT, "\"tvd\": %s, \"rmse\": %s, \"seconds\": %s", s.tvd(), s.rmse(), s.seconds());
  }

  /** The numbers of a flat JSON array field, enough for peer.json's own simple shape. */
  private static List<Double> numbers(String json, String field) {
    Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("peer.json has no '" + field + "' array");
    }
    return Arrays.stream(m.group(1).split(",")).map(String::strip).map(Double::valueOf).toList();
  }

  private static Map<String, Integer> binCounts(String json) {
    Matcher object = Pattern.compile("\"bins\"\\s*:\\s*\\{([^}]*)\\}").matcher(json);
    if (!object.find()) {
      throw new IllegalArgumentException("peer.json has no 'bins' object");
    }
    Map<String, Integer> bins = new java.util.LinkedHashMap<>();
    Matcher entry = Pattern.compile("\"([^\"]+)\"\\s*:\\s*(\\d+)").matcher(object.group(1));
    while (entry.find()) {
      bins.put(entry.group(1), Integer.valueOf(entry.group(2)));
    }
    return bins;
  }
}
