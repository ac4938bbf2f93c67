package dev.cleanroom.bridge.testing;

import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.manifest.JobOutcome;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.attestation.simulator.SimulatorIssuer;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import dev.cleanroom.attestation.token.TokenRequest;
import dev.cleanroom.bridge.reconcile.LaunchEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the in-TEE launcher does, done by hand until the tee-image module's launcher runs in the tests: writes an
 * executed notebook and outputs into the job folder, then the canonical manifest and a simulator token over it,
 * one file after another with a pause between them (the "upload").
 *
 * <p>Also a {@code main}, for runs that must outlive a killed bridge ({@link ProcessTeePlatform}).
 */
public final class FakeWorkload {
  /** What a run does. */
  public enum Behaviour {
    SUCCEED,
    /** The notebook fails in its third cell: the report says so. */
    NOTEBOOK_FAILS,
    /** An output is changed after the manifest was written: verification must refuse it. */
    TAMPER_OUTPUT,
    /** Never ends (until stopped or timed out). */
    HANG,
    /** Succeeds, also writing {@link #TABLES} and printing a table with a small count in the executed notebook. */
    TABLES
  }

  /**
   * The outputs a {@link Behaviour#TABLES} run writes besides the model, by path: a CSV, a text file and a JSON file
   * with a count of 3 each, an image, and a binary file.
   */
  public static final Map<String, byte[]> TABLES = Map.of(
      "outputs/by_smoker.csv", "smoker,n\nyes,3\nno,212\n".getBytes(StandardCharsets.UTF_8),
      "outputs/summary.txt", "Claims by region\nregion  n\nnorth   3\nsouth   117\n".getBytes(StandardCharsets.UTF_8),
      "outputs/counts.json", "{\"yes\": {\"n\": 3}, \"no\": {\"n\": 212}}".getBytes(StandardCharsets.UTF_8),
      "outputs/plot.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0},
      "outputs/model.bin", new byte[] {0, 1, 2, 3, (byte) 0xfe});

  public static final String OUTPUT = "outputs/model.txt";
  public static final String MODEL = "charges ~ 264.9 * age + 23848 * smoker - 2091 (trained on the real rows)\n";

  private FakeWorkload() {}

  /**
   * Runs the fake launcher.
   *
   * @param image the folder the fake image build wrote (holds the notebook)
   * @param folder the job folder to write into
   * @param gate when present, a folder where the run waits for {@value #RELEASE_RUN} before it writes anything and
   *     for {@value #RELEASE_UPLOAD} before it writes its token: a test holds the run at either point
   */
  public static void run(Path image, Path folder, Map<String, String> env, String imageDigest, SimulatorKeys keys,
      Clock clock, Duration perFile, Behaviour behaviour, Optional<Path> gate) throws IOException, InterruptedException {
    Instant started = clock.instant();
    if (behaviour == Behaviour.HANG) {
      Thread.sleep(Long.MAX_VALUE);
    }
    awaitGate(gate, RELEASE_RUN);
    byte[] notebook = Files.readAllBytes(image.resolve("notebook.ipynb"));
    Files.createDirectories(folder.resolve("outputs"));
    Thread.sleep(perFile.toMillis());
    Files.writeString(folder.resolve(JobFolder.EXECUTED_NOTEBOOK), executed(notebook, behaviour));
    Thread.sleep(perFile.toMillis());
    if (behaviour != Behaviour.NOTEBOOK_FAILS) {
      Files.writeString(folder.resolve(OUTPUT), MODEL);
      Thread.sleep(perFile.toMillis());
    }
    if (behaviour == Behaviour.TABLES) {
      for (Map.Entry<String, byte[]> output : TABLES.entrySet()) {
        Files.write(folder.resolve(output.getKey()), output.getValue());
      }
    }
    // A real launcher computes each input's commitment and refuses a mismatch; this one takes the commitments as told.
    TreeMap<String, Sha256> inputs = new TreeMap<>();
    for (String pair : env.getOrDefault(LaunchEnvironment.INPUTS, "").split(",")) {
      if (!pair.isEmpty()) {
        inputs.put(pair.substring(0, pair.indexOf('=')), new Sha256(pair.substring(pair.indexOf('=') + 1)));
      }
    }
    JobOutcome outcome = behaviour == Behaviour.NOTEBOOK_FAILS
        ? JobOutcome.failed("cell 3 threw IllegalStateException: no column 'charge'")
        : JobOutcome.succeeded();
    JobManifest manifest = new JobManifest(env.get(LaunchEnvironment.JOB_ID), Sha256.of(notebook), imageDigest, inputs,
        JobFolder.at(folder).hashOutputs(), JobFolder.EXECUTED_NOTEBOOK, started, clock.instant(), outcome);
    String token = new SimulatorIssuer(keys, clock).issue(
        TokenRequest.oidc(env.get(LaunchEnvironment.AUDIENCE), manifest.nonce().hex()),
        // As the simulator does, the token attests the container's environment: the job id with the rest.
        SimulatedWorkload.of(image.toString(), imageDigest).withContainer("", env, java.util.List.of()));
    Files.write(folder.resolve(JobFolder.MANIFEST), manifest.canonicalBytes());
    Thread.sleep(perFile.toMillis());
    awaitGate(gate, RELEASE_UPLOAD);
    if (behaviour == Behaviour.TAMPER_OUTPUT) {
      Files.writeString(folder.resolve(OUTPUT), "charges ~ 0 (someone changed this after the run)\n");
    }
    // The token last: a folder with a token is a complete record.
    Files.writeString(folder.resolve(JobFolder.TOKEN), token + "\n");
  }

  public static final String RELEASE_RUN = "release-run";
  public static final String RELEASE_UPLOAD = "release-upload";

  private static void awaitGate(Optional<Path> gate, String name) throws InterruptedException {
    while (gate.isPresent() && !Files.exists(gate.get().resolve(name))) {
      Thread.sleep(20);
    }
  }

  private static String executed(byte[] notebook, Behaviour behaviour) {
    String submitted = new String(notebook, StandardCharsets.UTF_8);
    String cells = behaviour != Behaviour.TABLES ? "" : "{\"cell_type\": \"code\", \"source\": [], \"outputs\":"
        + " [{\"output_type\": \"stream\", \"name\": \"stdout\", \"text\": [\"smoker,n\\n\", \"yes,4\\n\", \"no,212\\n\"]}]}";
    return "{\"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {\"dcr\": {\"stage\": 2, \"outcome\": \""
        + behaviour + "\"}}, \"cells\": [" + cells + "], \"submitted_bytes\": " + submitted.length() + "}\n";
  }

  /**
   * {@code FakeWorkload IMAGE_DIR FOLDER ENV_FILE KEYS_FILE IMAGE_DIGEST PER_FILE_MILLIS BEHAVIOUR STARTS_LOG [GATE_DIR]};
   * ENV_FILE has KEY=VALUE lines; the job id is appended to STARTS_LOG first thing.
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> env = new HashMap<>();
    for (String line : Files.readAllLines(Path.of(args[2]))) {
      int equals = line.indexOf('=');
      if (equals > 0) {
        env.put(line.substring(0, equals), line.substring(equals + 1));
      }
    }
    Files.writeString(Path.of(args[7]), env.get(LaunchEnvironment.JOB_ID) + "\n", StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    run(Path.of(args[0]), Path.of(args[1]), env, args[4], SimulatorKeys.loadOrCreate(Path.of(args[3])),
        Clock.systemUTC(), Duration.ofMillis(Long.parseLong(args[5])), Behaviour.valueOf(args[6]),
        args.length > 8 ? Optional.of(Path.of(args[8])) : Optional.empty());
  }
}
