package dev.cleanroom.tee.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cleanroom.attestation.manifest.CanonicalJson;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import dev.cleanroom.tee.api.ImageBuildException;
import dev.cleanroom.tee.api.ImageBuilder;
import dev.cleanroom.tee.api.JobConfig;
import dev.cleanroom.tee.api.LocalRun;
import dev.cleanroom.tee.api.SimulationException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;

/**
 * {@code dcr run-local <notebook.ipynb> --dataset <csv | folder> --out <dir>}: stage 2 on this machine —
 * build the image, run it in the local Confidential Space simulator on the dataset, archive the issuer's
 * keys into {@code report.json}, verify. Exit status 0 when the job succeeded and its report verified
 * (as simulated), 1 when the job failed or the report did not verify, 2 when nothing could run.
 */
public final class RunLocalCommand {
  static final String USAGE = """
      usage: dcr run-local <notebook.ipynb> --dataset <real.csv | folder> --out <dir> [options]

        --dataset PATH        the real rows: a CSV with policy.yaml beside it, or a folder with real.csv and policy.yaml
        --policy FILE         the dataset's policy, when not policy.yaml beside the data; the synthetic.csv beside
                              it (a provisioned views folder's) is staged too when the policy offers that view
        --out DIR             the job folder to fill (new or empty): outputs, manifest, token, report.json
        --process             run as a plain process (no isolation; what runs without root), not with runc
        --cell-timeout S      seconds one cell may run (default %d)
        --timeout S           seconds the notebook may run (default %d)
        --max-output-bytes N  the most the outputs may total (default %d)

      Afterwards: dcr verify --allow-simulator --trust DIR.trust.json DIR  (the run's trust file: this simulator's
      keys and the staged inputs' commitments; a simulated run never passes strict verification)
      """.formatted(JobConfig.DEFAULT_CELL_TIMEOUT.toSeconds(), JobConfig.DEFAULT_TIMEOUT.toSeconds(),
          JobConfig.DEFAULT_MAX_OUTPUT_BYTES);

  private final PrintStream out;
  private final PrintStream err;

  RunLocalCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(new RunLocalCommand(System.out, System.err).run(args));
  }

  int run(String... args) {
    Deque<String> rest = new ArrayDeque<>(Arrays.asList(args));
    Path notebook = null;
    Path dataset = null;
    Path policy = null;
    Path outDir = null;
    boolean process = false;
    LocalRun.JobSettings settings = LocalRun.JobSettings.defaults();
    try {
      while (!rest.isEmpty()) {
        String arg = rest.pop();
        switch (arg) {
          case "-h", "--help" -> {
            out.print(USAGE);
            return 0;
          }
          case "--dataset" -> dataset = Path.of(Arguments.value(rest, arg));
          case "--policy" -> policy = Path.of(Arguments.value(rest, arg));
          case "--out" -> outDir = Path.of(Arguments.value(rest, arg));
          case "--process" -> process = true;
          case "--cell-timeout" -> settings = new LocalRun.JobSettings(Duration.ofSeconds(Arguments.number(rest, arg)),
              settings.totalTimeout(), settings.maxOutputBytes());
          case "--timeout" -> settings = new LocalRun.JobSettings(settings.cellTimeout(),
              Duration.ofSeconds(Arguments.number(rest, arg)), settings.maxOutputBytes());
          case "--max-output-bytes" -> settings = new LocalRun.JobSettings(settings.cellTimeout(),
              settings.totalTimeout(), Arguments.number(rest, arg));
          default -> {
            if (arg.startsWith("-") || notebook != null) {
              throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            notebook = Path.of(arg);
          }
        }
      }
      if (notebook == null || dataset == null || outDir == null) {
        throw new IllegalArgumentException("name the notebook, --dataset and --out");
      }
    } catch (IllegalArgumentException e) {
      err.println("dcr run-local: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    // Never a silent fallback: without root, runc fails with what to do, and --process is the explicit choice.
    SimulatedWorkload.Isolation isolation = process ? SimulatedWorkload.Isolation.PROCESS : SimulatedWorkload.Isolation.RUNC;
    try {
      Path cache = ImageBuilder.defaultCache();
      SimulatorKeys keys = SimulatorKeys.loadOrCreate(cache.resolve("simulator").resolve("keys.json"));
      ImageBuilder builder = ImageBuilder.builder().progress(this::progress).build();
      LocalRun.Result result = new LocalRun(builder, keys, isolation, cache.resolve("tee-image").resolve("runs"),
          this::progress).run(notebook, dataset, Optional.ofNullable(policy), outDir, settings);
      return report(result, isolation);
    } catch (ImageBuildException e) {
      err.println("dcr run-local: " + e.getMessage() + " [" + e.code() + "]");
      return 2;
    } catch (SimulationException e) {
      err.println("dcr run-local: " + e.getMessage() + " [" + e.code() + "]");
      return 2;
    } catch (IOException e) {
      err.println("dcr run-local: could not use the simulator's keys: " + e.getMessage());
      return 2;
    }
  }

  private int report(LocalRun.Result result, SimulatedWorkload.Isolation isolation) throws IOException {
    JobManifest manifest = JobFolder.at(result.jobFolder()).readReport().manifest();
    // Beside the job folder, never in it: the trust file is no output of the job.
    Path trustFile = LocalRun.trustFile(result.jobFolder());
    result.trust().write(trustFile);
    out.println("job:     " + manifest.jobId() + " in " + result.jobFolder());
    out.println("image:   " + result.image().digest());
    out.println("outcome: " + manifest.outcome());
    if (!manifest.outcome().isSuccess()) {
      cellError(result.jobFolder().resolve(JobFolder.EXECUTED_NOTEBOOK))
          .ifPresent(e -> out.println("         " + e + "  (from the executed notebook, an output)"));
    }
    out.println("outputs: " + String.join(", ", manifest.outputs().keySet()));
    StringBuilder steps = new StringBuilder();
    long total = 0;
    for (Map.Entry<String, Duration> step : result.steps().entrySet()) {
      steps.append(steps.isEmpty() ? "" : ", ").append(step.getKey()).append(' ').append(step.getValue().toMillis()).append(" ms");
      total += step.getValue().toMillis();
    }
    out.println("steps:   " + steps + " (" + total + " ms)");
    out.println("trust:   " + trustFile + " (this run's trust file: its simulator's keys and its inputs' commitments)");
    if (result.verification().passed()) {
      out.println("report:  VERIFIED as a SIMULATED run (" + isolation.hardwareModel() + "); check it yourself with");
      out.println("         ./dcr verify --allow-simulator"
          + (isolation == SimulatedWorkload.Isolation.PROCESS ? " --allow-hwmodel " + isolation.hardwareModel() : "")
          + " --trust " + trustFile + " " + result.jobFolder());
    } else {
      out.println("report:  REFUSED: " + String.join("; ",
          result.verification().failures().stream().map(c -> c.name().code() + ": " + c.reason()).toList()));
    }
    return manifest.outcome().isSuccess() && result.verification().passed() ? 0 : 1;
  }

  /** The first error output of the executed notebook, as "ename: evalue". */
  static Optional<String> cellError(Path executed) {
    try {
      JsonNode notebook = CanonicalJson.parse(Files.readAllBytes(executed));
      for (JsonNode cell : notebook.path("cells")) {
        for (JsonNode output : cell.path("outputs")) {
          if (output.path("output_type").asText().equals("error")) {
            String value = output.path("evalue").asText("");
            return Optional.of(output.path("ename").asText("") + ": "
                + (value.length() > 300 ? value.substring(0, 300) + "..." : value));
          }
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      // no executed notebook to read; the outcome says enough
    }
    return Optional.empty();
  }

  private void progress(String line) {
    err.println(line.startsWith("launcher:") ? "    " + line : "==> " + line);
  }
}
