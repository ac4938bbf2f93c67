import dev.cleanroom.kernel.maven.NotebookLibraries;
import dev.cleanroom.kernel.maven.NotebookLock;
import dev.cleanroom.tee.api.ApprovedInputs;
import dev.cleanroom.tee.api.ImageBuilder;
import dev.cleanroom.tee.fs.FileTrees;
import dev.cleanroom.tee.libraries.LockedJars;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * bench/maven: %maven's resolution (the kernel's NotebookLibraries, what the magic calls) cold and warm, and the image
 * build without and with the notebook libraries layer. Arguments: repository root, coordinates, rounds, and the
 * properties file jjava_maven.py wrote in the same run (JJava's %maven of the same coordinates), merged into the same
 * table. Each number is its best round: other processes on a shared machine only ever add time. Writes
 * bench/results/maven.md and maven.json.
 */
public class MavenBench {
  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]).toAbsolutePath();
    String coordinates = args[1];
    int rounds = Integer.parseInt(args[2]);
    Properties jjava = new Properties();
    try (var in = Files.newBufferedReader(Path.of(args[3]))) {
      jjava.load(in);
    }
    String configured = System.getenv().getOrDefault("DCR_MAVEN_REPOSITORY", "");
    URI repository = configured.isBlank() ? NotebookLibraries.CENTRAL : URI.create(configured);
    Path work = Files.createTempDirectory("dcr-bench-maven");
    Map<String, Object> json = new LinkedHashMap<>();
    // run.sh reads the load before JJava's part, so that "before" is the whole run's
    String loadBefore = System.getenv().getOrDefault("MAVEN_BENCH_LOAD_BEFORE",
        Files.readString(Path.of("/proc/loadavg"))).strip();
    Map<String, String> bundle = NotebookLibraries.bundleOf(System.getProperty("java.class.path"));
    try {
      double cold = Double.MAX_VALUE;
      double warm = Double.MAX_VALUE;
      NotebookLibraries.Resolution resolution = null;
      for (int round = 0; round < rounds; round++) {
        Path local = work.resolve("m2-" + round);
        NotebookLibraries kernel = new NotebookLibraries(repository, local, bundle);
        long start = System.nanoTime();
        resolution = kernel.resolve(List.of(coordinates), line -> { });
        cold = Math.min(cold, seconds(start));
        NotebookLibraries nextKernel = new NotebookLibraries(repository, local, bundle);
        start = System.nanoTime();
        nextKernel.resolve(List.of(coordinates), line -> { });
        warm = Math.min(warm, seconds(start));
        say(String.format(Locale.ROOT, "round %d: %%maven cold %.2f s, warm %.2f s", round + 1, cold, warm));
      }
      long bytes = 0;
      for (NotebookLibraries.Jar jar : resolution.jars()) {
        bytes += Files.size(jar.file());
      }
      int jars = resolution.jars().size();
      json.put("coordinates", coordinates);
      json.put("repository", repository.toString());
      json.put("jars_added", jars);
      json.put("jars_already_in_bundle", resolution.alreadyBundled().size() + resolution.conflicts().size());
      json.put("jar_bytes", bytes);
      json.put("maven_cold_s", cold);
      json.put("maven_warm_s", warm);

      Path plain = work.resolve("plain.ipynb");
      Files.writeString(plain, notebook(""));
      Path withLibraries = work.resolve("libraries.ipynb");
      Files.writeString(withLibraries, notebook(lockOutput(resolution, repository)));
      ImageBuilder builder = ImageBuilder.builder().libraryRepository(repository).build();
      builder.digest(plain, ApprovedInputs.none()); // the base runtime and launcher layers cached for both kinds
      double layerCold = Double.MAX_VALUE;
      NotebookLock lock = NotebookLock.of(Files.readAllBytes(withLibraries));
      for (int round = 0; round < rounds; round++) {
        LockedJars fetch = new LockedJars(work.resolve("jar-cache-" + round),
            new LockedJars.Source.Repository(repository), line -> { });
        long start = System.nanoTime();
        fetch.fetch(lock);
        layerCold = Math.min(layerCold, seconds(start));
      }
      double without = best(rounds, () -> builder.digest(plain, ApprovedInputs.none()));
      double with = best(rounds, () -> builder.digest(withLibraries, ApprovedInputs.none()));
      String digestWith = builder.digest(withLibraries, ApprovedInputs.none());
      boolean reproducible = digestWith.equals(builder.digest(withLibraries, ApprovedInputs.none()));
      json.put("image_build_without_layer_s", without);
      json.put("image_build_with_layer_s", with);
      json.put("layer_jars_fetch_cold_s", layerCold);
      json.put("image_digest_reproducible", reproducible);
      json.put("jjava_version", jjava.getProperty("jjava_version"));
      json.put("jjava_maven_cold_s", Double.parseDouble(jjava.getProperty("jjava_maven_cold_s")));
      json.put("jjava_maven_warm_s", Double.parseDouble(jjava.getProperty("jjava_maven_warm_s")));
      json.put("jjava_jars_in_local_repository", Integer.parseInt(jjava.getProperty("jjava_jars")));
      json.put("jjava_jar_bytes", Long.parseLong(jjava.getProperty("jjava_jar_bytes")));
      json.put("load_before", loadBefore);
      json.put("load_after", Files.readString(Path.of("/proc/loadavg")).strip());
      json.put("cpus", Runtime.getRuntime().availableProcessors());
      json.put("java", Runtime.version().toString());
      json.put("when", ZonedDateTime.now(ZoneOffset.UTC).withNano(0).toString());
      write(root, json, jars);
    } finally {
      FileTrees.deleteScratch(work, line -> { });
    }
  }

  /** The lock output %maven shows, as the notebook saves it. */
  static String lockOutput(NotebookLibraries.Resolution resolution, URI repository) {
    StringBuilder artifacts = new StringBuilder();
    for (NotebookLibraries.Jar jar : resolution.jars()) {
      artifacts.append(artifacts.isEmpty() ? "" : ",").append("{\"coordinates\":\"").append(jar.coordinates())
          .append("\",\"sha256\":\"").append(jar.sha256()).append("\"}");
    }
    return "{\"output_type\":\"execute_result\",\"execution_count\":1,\"metadata\":{},\"data\":{\"text/plain\":\"Added\",\""
        + NotebookLock.MIME_TYPE + "\":{\"requested\":[],\"repository\":\"" + repository + "\",\"artifacts\":["
        + artifacts + "]}}}";
  }

  static String notebook(String output) {
    return "{\"cells\":[{\"cell_type\":\"code\",\"execution_count\":1,\"id\":\"m\",\"metadata\":{},\"outputs\":["
        + output + "],\"source\":\"%maven x\"}],\"metadata\":{},\"nbformat\":4,\"nbformat_minor\":5}\n";
  }

  static double best(int rounds, Callable<?> work) throws Exception {
    double best = Double.MAX_VALUE;
    for (int round = 0; round < rounds; round++) {
      long start = System.nanoTime();
      work.call();
      best = Math.min(best, seconds(start));
    }
    return best;
  }

  static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  static void write(Path root, Map<String, Object> json, int jars) throws Exception {
    StringBuilder text = new StringBuilder("{\n");
    List<String> lines = new ArrayList<>();
    json.forEach((k, v) -> lines.add("  \"" + k + "\": " + (v instanceof String s ? "\"" + s.replace("\"", "\\\"") + "\""
        : v instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : String.valueOf(v))));
    text.append(String.join(",\n", lines)).append("\n}\n");
    Files.writeString(root.resolve("bench/results/maven.json"), text);
    String md = String.format(Locale.ROOT, """
        # Notebook libraries: %%maven and the image's libraries layer

        `./dcr bench maven`, %s, %s CPUs, Java %s; load before %s, after %s. Best of the rounds.

        `%%maven %s` from %s: ours adds %d jars to the cells (%s bytes), %s already in the kernel's bundle. JJava %s
        (PyPI `jjava`, on the same JDK, driven by jupyter_client from `execute_request` to `execute_reply`, a trivial
        cell first so JShell's start is not counted) resolves the same coordinates from its default
        https://repo1.maven.org/maven2/ into an empty local repository that ends with %s jars (%s bytes): JJava's
        resolver also fetches the library's optional dependencies (for poi-ooxml: Batik, Bouncy Castle, PDFBox,
        xmlsec), which ours, like Maven, leaves out.

        | step | dcr-java (seconds) | JJava (seconds) |
        | --- | --- | --- |
        | `%%maven`, cold (empty local repository: resolve and download) | %.2f | %.2f |
        | `%%maven`, warm (a new kernel, the same local repository: resolve only) | %.2f | %.2f |
        | image build, notebook without libraries (base and launcher layers cached) | %.2f | no image |
        | image build, the same notebook with the lock of those %d jars (jars cached) | %.2f | no image |
        | the layer's jars fetched into an empty cache and checked (a deployment's first build with them) | %.2f | no lock |

        The digest with the layer is reproducible: %s. Ours runs its rounds in one JVM, so only its first round pays
        for a cold JVM (run.sh prints each round); JJava starts two new kernels in each round.
        """, json.get("when"), json.get("cpus"), json.get("java"), json.get("load_before"), json.get("load_after"),
        json.get("coordinates"), json.get("repository"), jars, json.get("jar_bytes"), json.get("jars_already_in_bundle"),
        json.get("jjava_version"), json.get("jjava_jars_in_local_repository"), json.get("jjava_jar_bytes"),
        json.get("maven_cold_s"), json.get("jjava_maven_cold_s"), json.get("maven_warm_s"), json.get("jjava_maven_warm_s"),
        json.get("image_build_without_layer_s"), jars, json.get("image_build_with_layer_s"),
        json.get("layer_jars_fetch_cold_s"), json.get("image_digest_reproducible"));
    Files.writeString(root.resolve("bench/results/maven.md"), md);
    System.out.print(md);
  }

  static void say(String line) {
    System.out.println(line);
  }
}
