package dev.cleanroom.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The pinned helm binary ({@code -Ddcr.helm}, installed by {@code ./dcr test}) run on the chart ({@code -Ddcr.chart})
 * in one of two ways: with the real zero-to-jupyterhub chart that {@code helm dependency build} put in its charts/
 * ({@link #withJupyterHub()}), or on a copy whose jupyterhub dependency is an empty stand-in and is always disabled
 * ({@link #withoutJupyterHub(Path)}). helm refuses to render a chart while a declared dependency is missing from
 * charts/, even a disabled one; the stand-in only satisfies that check, and is never rendered.
 */
record Helm(Path binary, Path chart, List<String> lastArguments) {
  private static final String JUPYTERHUB = "jupyterhub";
  private static final String JUPYTERHUB_DISABLED = "jupyterhub.enabled=false";

  /** What one helm command did. */
  record Result(int exitCode, String out, String err) {
    Result requireSuccess() {
      if (exitCode != 0) {
        throw new AssertionError("helm failed (exit " + exitCode + "):\n" + err);
      }
      return this;
    }
  }

  /**
   * The chart itself, with the zero-to-jupyterhub package that {@code ./dcr helm dependency build helm/cleanroom}
   * leaves in its charts/; the calling tests are skipped (not failed) when it is absent, since fetching it needs the
   * chart's Helm repository and the offline build never does.
   */
  static Helm withJupyterHub() {
    Path chart = chartDirectory();
    Path packaged = chart.resolve("charts").resolve(JUPYTERHUB + "-" + jupyterHubVersion(chart) + ".tgz");
    Assumptions.assumeTrue(Files.isRegularFile(packaged), () -> "the tests of the chart with JupyterHub"
        + " need zero-to-jupyterhub as " + packaged + "; fetch it with ./dcr helm dependency build helm/cleanroom"
        + " (helm downloads it from the repository in helm/cleanroom/Chart.yaml)");
    return new Helm(pinnedBinary(), chart, List.of());
  }

  /**
   * A copy of the chart in {@code directory} with {@code jupyterhub.enabled=false} forced onto every command, so that
   * only the clean room's own templates render. Its charts/ holds nothing but a stand-in for the third-party jupyterhub
   * chart, there only because helm checks that each declared dependency is present.
   */
  static Helm withoutJupyterHub(Path directory) {
    Path source = chartDirectory();
    Path copy = directory.resolve(source.getFileName());
    copyChart(source, copy);
    writeJupyterHubStandIn(copy.resolve("charts").resolve(JUPYTERHUB), jupyterHubVersion(source));
    return new Helm(pinnedBinary(), copy, List.of("--set", JUPYTERHUB_DISABLED));
  }

  /** {@code helm template cleanroom CHART ARGS}: the manifests, with the chart's own values files resolved. */
  Result template(String... args) {
    return run(List.of("template", "cleanroom", chart.toString(), "--namespace", "cleanroom"), args);
  }

  Result lint(String... args) {
    return run(List.of("lint", chart.toString(), "--strict"), args);
  }

  Path example(String name) {
    return chart.resolve("examples").resolve(name);
  }

  private static Path pinnedBinary() {
    String binary = System.getProperty("dcr.helm", "");
    if (binary.isBlank() || binary.startsWith("${") || !Files.isExecutable(Path.of(binary))) {
      throw new IllegalStateException("No helm binary given (-Ddcr.helm='" + binary + "'): run the tests with"
          + " ./dcr test, which installs the pinned helm, or pass -Ddcr.helm=PATH (./dcr helm installs it as"
          + " $DCR_CACHE/go-bin/helm)");
    }
    return Path.of(binary);
  }

  private static Path chartDirectory() {
    return Path.of(System.getProperty("dcr.chart", "../helm/cleanroom")).toAbsolutePath().normalize();
  }

  /** The jupyterhub version the chart's Chart.yaml pins. */
  @SuppressWarnings("unchecked")
  private static String jupyterHubVersion(Path chart) {
    try {
      Map<String, Object> metadata = new Yaml(new SafeConstructor(new LoaderOptions()))
          .load(Files.readString(chart.resolve("Chart.yaml")));
      return ((List<Map<String, Object>>) metadata.get("dependencies")).stream()
          .filter(dependency -> JUPYTERHUB.equals(dependency.get("name")))
          .map(dependency -> String.valueOf(dependency.get("version")))
          .findFirst()
          .orElseThrow(() -> new AssertionError(chart.resolve("Chart.yaml") + " declares no jupyterhub dependency"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies the chart without its charts/, which may hold the real jupyterhub package. */
  private static void copyChart(Path source, Path target) {
    Path dependencies = source.resolve("charts");
    try (var files = Files.walk(source)) {
      for (Path file : files.filter(f -> !f.startsWith(dependencies)).toList()) {
        Path copy = target.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(copy);
        } else {
          Files.copy(file, copy);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not copy the chart " + source + " to " + target, e);
    }
  }

  /** A chart named and versioned as the dependency but with no templates or values of its own. */
  private static void writeJupyterHubStandIn(Path directory, String version) {
    try {
      Files.createDirectories(directory);
      Files.writeString(directory.resolve("Chart.yaml"), """
          # A test stand-in for the third-party zero-to-jupyterhub chart, not that chart: no templates, no values.
          apiVersion: v2
          name: %s
          version: %s
          description: Stand-in for zero-to-jupyterhub so that helm renders helm/cleanroom with it disabled
          """.formatted(JUPYTERHUB, version));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs helm with the verb's arguments, the caller's, then {@link #lastArguments} (so they win). */
  private Result run(List<String> verb, String... args) {
    List<String> command = new ArrayList<>(List.of(binary.toString()));
    command.addAll(verb);
    command.addAll(List.of(args));
    command.addAll(lastArguments);
    try {
      Process process = new ProcessBuilder(command).start();
      process.getOutputStream().close();
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
      String out = read(process.getInputStream());
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("helm did not finish within 60 s: " + command);
      }
      return new Result(process.exitValue(), out, err.join());
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running helm", e);
    }
  }

  private static String read(java.io.InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
