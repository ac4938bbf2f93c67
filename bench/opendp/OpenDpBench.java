import dev.cleanroom.dp.opendp.Combinators;
import dev.cleanroom.dp.opendp.Data;
import dev.cleanroom.dp.opendp.Domain;
import dev.cleanroom.dp.opendp.Domains;
import dev.cleanroom.dp.opendp.Measurement;
import dev.cleanroom.dp.opendp.Measurements;
import dev.cleanroom.dp.opendp.Measures;
import dev.cleanroom.dp.opendp.Metric;
import dev.cleanroom.dp.opendp.Metrics;
import dev.cleanroom.dp.opendp.Transformation;
import dev.cleanroom.dp.opendp.Transformations;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * The Java side of the OpenDP benchmark: the same two queries through our JNI binding, fed the way a
 * Java caller holds a column (a double[] of values, a List of labels). Run with the java source
 * launcher on the dp-engine classes.
 *
 * <p>usage: OpenDpBench.java &lt;records&gt; &lt;loop records&gt; &lt;loop queries&gt; &lt;repeats&gt;
 * &lt;warm-up queries&gt;.
 * Prints one JSON object (the shape every harness of this benchmark prints) on stdout.
 */
public class OpenDpBench {
  static final List<String> CATEGORIES = IntStream.range(0, 10).mapToObj(k -> "category-" + k).toList();
  static final double LOWER = 0;
  static final double UPPER = 100;
  static final double MEAN_SCALE = 1e-3;
  static final double HISTOGRAM_SCALE = 1.0;

  /** clamp(0, 100) >> mean >> laplace on a vector of exactly values.length values, construction included. */
  static double dpMean(double[] values) {
    try (Domain atom = Domains.atomDomain("f64", false);
        Domain vector = Domains.vectorDomain(atom, values.length);
        Metric symmetric = Metrics.symmetricDistance();
        Transformation clamp = Transformations.makeClamp(vector, symmetric, LOWER, UPPER);
        Domain clamped = clamp.outputDomain();
        Metric clampedMetric = clamp.outputMetric();
        Transformation mean = Transformations.makeMean(clamped, clampedMetric);
        Transformation clampMean = Combinators.makeChainTt(mean, clamp);
        Measurement measurement = thenLaplace(clampMean, MEAN_SCALE);
        Data data = Data.vecF64(values);
        Data release = measurement.invoke(data)) {
      return release.asF64();
    }
  }

  /** count_by_categories(10 categories + "other") >> laplace, construction included. */
  static long[] dpHistogram(List<String> labels) {
    try (Domain atom = Domains.atomDomain("String");
        Domain vector = Domains.vectorDomain(atom);
        Metric symmetric = Metrics.symmetricDistance();
        Transformation counts = Transformations.makeCountByCategories(
            vector, symmetric, CATEGORIES, true, "L1Distance<i64>", "i64");
        Measurement measurement = thenLaplace(counts, HISTOGRAM_SCALE);
        Data data = Data.vecString(labels);
        Data release = measurement.invoke(data)) {
      return release.asI64Vec();
    }
  }

  /** {@code transformation >> then_laplace(scale)}, as Python's {@code >>} builds it. */
  static Measurement thenLaplace(Transformation transformation, double scale) {
    try (Domain domain = transformation.outputDomain();
        Metric metric = transformation.outputMetric();
        Measurement laplace = Measurements.makeLaplace(domain, metric, scale, Measures.MAX_DIVERGENCE)) {
      return Combinators.makeChainMt(laplace, transformation);
    }
  }

  /** The benchmark's data, the same formula in every harness: values in [0, 100.06]. */
  static double[] values(int n) {
    return IntStream.range(0, n).mapToDouble(i -> (double) ((long) i * 7919 % 10007) / 100.0).toArray();
  }

  /** 1 in 11 labels is "other", outside the categories. */
  static List<String> labels(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> (int) ((long) i * 7 % 11))
        .map(k -> k < CATEGORIES.size() ? CATEGORIES.get(k) : "other")
        .toList();
  }

  static double sink;

  /**
   * Warms up ({@code warmup} loop-sized and {@code repeats} full-sized queries, untimed: the JIT
   * compiles the hot paths), then times one query {@code repeats} times and {@code loopQueries}
   * loop-sized queries in a row.
   */
  static <T> String measure(String name, Function<T, Object> query, T data, T loopData, int[] plan) {
    int loopQueries = plan[2];
    int repeats = plan[3];
    int warmup = plan[4];
    for (int q = 0; q < warmup; q++) {
      sink += query.apply(loopData).hashCode();
    }
    for (int r = 0; r < repeats; r++) {
      sink += query.apply(data).hashCode();
    }
    double[] ms = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      long start = System.nanoTime();
      sink += query.apply(data).hashCode();
      ms[r] = (System.nanoTime() - start) / 1e6;
    }
    long start = System.nanoTime();
    for (int q = 0; q < loopQueries; q++) {
      sink += query.apply(loopData).hashCode();
    }
    double loopSeconds = (System.nanoTime() - start) / 1e9;
    Arrays.sort(ms);
    double median = repeats % 2 == 1 ? ms[repeats / 2] : (ms[repeats / 2 - 1] + ms[repeats / 2]) / 2;
    return String.format(Locale.ROOT,
        "\"%s\": {\"query_ms_median\": %.4f, \"query_ms_min\": %.4f, \"loop_seconds\": %.4f}",
        name, median, ms[0], loopSeconds);
  }

  public static void main(String[] args) {
    int[] plan = Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    int n = plan[0];
    int loopN = plan[1];
    double[] values = values(n);
    List<String> labels = labels(n);
    String runtime = System.getProperty("java.vm.name") + " " + Runtime.version();
    String mean = measure("mean", OpenDpBench::dpMean, values, Arrays.copyOf(values, loopN), plan);
    String histogram = measure("histogram", OpenDpBench::dpHistogram, labels, labels.subList(0, loopN), plan);
    System.out.println("{\"harness\": \"java\", \"runtime\": \"" + runtime + "\", " + mean + ", " + histogram + "}");
  }
}
