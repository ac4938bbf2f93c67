package dev.cleanroom.tee.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.manifest.JobOutcome;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.dp.provision.InputCommitment;
import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.attestation.simulator.SimulatorIssuer;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import dev.cleanroom.attestation.token.LauncherSocketClient;
import dev.cleanroom.attestation.token.TeeServer;
import dev.cleanroom.attestation.verify.AttestationVerifier;
import dev.cleanroom.attestation.verify.Verification;
import dev.cleanroom.attestation.verify.VerificationOptions;
import dev.cleanroom.tee.TestNotebooks;
import dev.cleanroom.tee.api.ApprovedInputs;
import dev.cleanroom.tee.api.JobConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher as it runs in the image, here as a plain process: a real launcher socket served by the
 * simulator's issuer, the notebook in its own JVM with the kernel's runner.
 */
class LauncherTest {
  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  @TempDir Path work;
  private final List<Duration> pauses = new ArrayList<>();
  private final SimulatorKeys keys = SimulatorKeys.ephemeral();
  private TeeServer server;
  private Path input;
  private Path job;
  private Path notebook;
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private final Map<String, String> environment = new HashMap<>();

  @BeforeEach
  void aTeeWithTheInsuranceData() throws IOException {
    SimulatedWorkload workload = SimulatedWorkload.of("cleanroom/notebook:test", DIGEST)
        .withIsolation(SimulatedWorkload.Isolation.PROCESS)
        .withContainer("", Map.of(JobConfig.JOB_ID, "job-7"), List.of());
    server = TeeServer.start(work.resolve("launcher/teeserver.sock"), new SimulatorIssuer(keys, Clock.systemUTC()).forWorkload(workload));
    input = Files.createDirectories(work.resolve("input/insurance"));
    Files.copy(Path.of("..", "datasets", "insurance", "real.csv"), input.resolve("real.csv"));
    Files.copy(Path.of("..", "datasets", "insurance", "policy.yaml"), input.resolve("policy.yaml"));
    input = input.getParent();
    job = Files.createDirectories(work.resolve("job"));
    notebook = work.resolve("notebook.ipynb");
    byte[] key = InputCommitment.loadOrCreateKey(input.resolve("insurance"));
    TreeMap<String, Sha256> inputs = new TreeMap<>();
    for (String name : List.of("insurance/real.csv", "insurance/policy.yaml", "insurance/" + InputCommitment.KEY_FILE)) {
      inputs.put(name, new Sha256(InputCommitment.of(key, input.resolve(name))));
    }
    environment.putAll(JobConfig.of("job-7", inputs).environment());
    // The image's approved inputs, beside its notebook as in /app: the job's own.
    Files.write(work.resolve("inputs.json"), ApprovedInputs.of(inputs).toJson());
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  private int launch() throws IOException {
    LauncherPaths paths = new LauncherPaths(notebook, input, job, server.socket(), work.resolve("scratch"));
    String classpath = Path.of("target/classes").toAbsolutePath() + ":" + Files.readString(Path.of("target/classpath.txt")).strip();
    return new Launcher(paths, environment, new LauncherSocketClient(server.socket()), Clock.systemUTC(),
        new PrintStream(log, true, StandardCharsets.UTF_8), Path.of(System.getProperty("java.home"), "bin", "java"), classpath, CloudEndpoints.google(),
        new CloudHttp(HttpClient.newHttpClient(), pauses::add), java.util.Optional.empty()).run();
  }

  private Verification verify() throws IOException {
    return AttestationVerifier.create().verify(JobFolder.at(job), VerificationOptions.builder().anyDeployment().allowSimulator()
        .allowHardwareModel(SimulatedWorkload.Isolation.PROCESS.hardwareModel())
        .offlineKeys(keys.archive(Instant.now())).build());
  }

  private JobManifest manifest() throws IOException {
    return JobManifest.fromJson(Files.readAllBytes(job.resolve(JobFolder.MANIFEST)));
  }

  @Test
  void run_aNotebookOnTheRealRows_attestsItsOutputsInputsAndImage() throws IOException {
    TestNotebooks.write(notebook,
        "var t = Dcr.dataset(\"insurance\").table();\nSystem.out.println(Dcr.stage() + \" rows \" + t.rowCount());",
        "Dcr.output(\"summary.txt\").write(\"rows \" + t.rowCount() + \"\\n\");");
    assertEquals(Launcher.ATTESTED, launch());
    JobManifest manifest = manifest();
    assertEquals(JobOutcome.succeeded(), manifest.outcome());
    assertEquals(DIGEST, manifest.imageDigest());
    assertEquals(Sha256.of(notebook), manifest.notebook());
    assertEquals(List.of("insurance/commitment.key", "insurance/policy.yaml", "insurance/real.csv"),
        List.copyOf(manifest.inputs().keySet()));
    assertEquals(List.of("executed.ipynb", "logs/notebook.log", "outputs/summary.txt"), List.copyOf(manifest.outputs().keySet()));
    assertEquals("rows 1338\n", Files.readString(job.resolve("outputs/summary.txt")));
    assertTrue(Files.readString(job.resolve("executed.ipynb")).contains("execution rows 1338"));
    Verification verification = verify();
    assertTrue(verification.passed(), verification.failures().toString());
  }

  @Test
  void run_theReportHoldsNoBareSha256OfTheRealRows() throws IOException {
    // A bare sha256 of the rows in the public report lets anyone who knows all rows but one test guesses of the last.
    TestNotebooks.write(notebook, "int x = 1;");
    assertEquals(Launcher.ATTESTED, launch());
    String sha256 = Sha256.of(input.resolve("insurance/real.csv")).hex();
    assertFalse(Files.readString(job.resolve(JobFolder.MANIFEST)).contains(sha256), "the manifest holds the rows' sha256");
    assertFalse(String.join(",", environment.values()).contains(sha256), "the attested environment holds the rows' sha256");
    assertTrue(verify().passed());
  }

  @Test
  void run_aDatasetWithoutItsCommitmentKey_failsWithoutRunningTheNotebook() throws IOException {
    TestNotebooks.write(notebook, "Dcr.output(\"ran.txt\").write(\"yes\");");
    Files.delete(input.resolve("insurance/" + InputCommitment.KEY_FILE));
    assertEquals(Launcher.ATTESTED, launch());
    assertTrue(manifest().outcome().reason().startsWith("input 'insurance/policy.yaml' has no dataset commitment key"),
        manifest().outcome().reason());
    assertFalse(Files.exists(job.resolve("outputs/ran.txt")));
  }

  @Test
  void run_aFailingCell_failsWithAReasonThatCarriesNoneOfTheNotebooksText() throws IOException {
    TestNotebooks.write(notebook, "int x = 1;", "throw new IllegalStateException(\"SECRET-\" + Dcr.dataset(\"insurance\").table().rowCount());");
    assertEquals(Launcher.ATTESTED, launch());
    JobOutcome outcome = manifest().outcome();
    assertEquals(JobOutcome.failed("code cell 2 raised an error; the executed notebook shows it (an output, released after review)"), outcome);
    assertTrue(Files.readString(job.resolve("executed.ipynb")).contains("SECRET-1338"), "the error is in the executed notebook");
    assertFalse(log.toString(StandardCharsets.UTF_8).contains("SECRET"), log.toString(StandardCharsets.UTF_8));
    assertTrue(verify().passed(), "a failed job's report verifies: it proves what happened");
  }

  /**
   * Security review after #14, point 2: a notebook that leaves in outputs/ a tree the launcher cannot walk by path,
   * its folders named after a value, had the launcher print an exception naming them and issue no token (the
   * notebook chose "no record"). Now the run is attested as failed for a fixed reason and the log holds no value.
   */
  @Test
  void run_aTreeTheLauncherCannotWalk_isAttestedAsFailed_andItsNamesStayOutOfTheLog() throws IOException {
    TestNotebooks.write(notebook, """
        String n = "SECRET-" + Dcr.dataset("insurance").table().rowCount() + "-" + "x".repeat(190);
        java.nio.file.Path deep = java.nio.file.Path.of(System.getenv("DCR_OUTPUT_DIR"), "a");
        java.nio.file.Path chain = java.nio.file.Path.of("chain");
        for (int i = 0; i < 12; i++) { deep = deep.resolve(n + i); chain = chain.resolve(n + i); }
        java.nio.file.Files.createDirectories(deep);
        java.nio.file.Files.createDirectories(chain);
        java.nio.file.Files.move(java.nio.file.Path.of("chain"), deep.resolve("m"));
        """);
    assertEquals(Launcher.ATTESTED, launch(), log.toString(StandardCharsets.UTF_8));
    assertEquals(JobOutcome.failed(OutputCollector.Problem.UNREADABLE.sentence(JobConfig.DEFAULT_MAX_OUTPUT_BYTES)),
        manifest().outcome());
    assertFalse(log.toString(StandardCharsets.UTF_8).contains("SECRET"), log.toString(StandardCharsets.UTF_8));
    assertTrue(verify().passed(), "the failed run's report verifies");
  }

  /**
   * Security review after #14, point 3: the notebook owns the folder of the runner's result file, so it can write
   * that file itself and halt. Its text, unparsable, reached the log in the parser's exception and no token was
   * issued; now it is a fixed reason in an attested failure.
   */
  @Test
  void run_aForgedResultFile_isAttestedAsFailed_andItsTextStaysOutOfTheLog() throws IOException {
    TestNotebooks.write(notebook, """
        java.nio.file.Files.writeString(java.nio.file.Path.of("notebook-result.json"),
            "SECRET-" + Dcr.dataset("insurance").table().rowCount() + " {not json");
        Runtime.getRuntime().halt(0);
        """);
    assertEquals(Launcher.ATTESTED, launch(), log.toString(StandardCharsets.UTF_8));
    assertEquals(JobOutcome.failed(NotebookExecution.RESULT_UNREADABLE), manifest().outcome());
    assertFalse(log.toString(StandardCharsets.UTF_8).contains("SECRET"), log.toString(StandardCharsets.UTF_8));
    assertTrue(verify().passed(), "the failed run's report verifies");
  }

  @Test
  void run_inputsThatAreNotTheJobs_failsWithoutRunningTheNotebook() throws IOException {
    byte[] submitted = TestNotebooks.of("Dcr.output(\"ran.txt\").write(\"yes\");");
    Files.write(notebook, submitted);
    Files.writeString(input.resolve("insurance/real.csv"), "age\n99\n", java.nio.file.StandardOpenOption.APPEND);
    assertEquals(Launcher.ATTESTED, launch());
    JobManifest manifest = manifest();
    assertTrue(manifest.outcome().reason().startsWith("input 'insurance/real.csv' has commitment"), manifest.outcome().reason());
    assertTrue(manifest.outcome().reason().endsWith("the notebook did not run"), manifest.outcome().reason());
    assertEquals(new Sha256(InputCommitment.of(InputCommitment.readKey(input.resolve("insurance/commitment.key")),
        input.resolve("insurance/real.csv"))), manifest.inputs().get("insurance/real.csv"));
    assertArrayEquals(submitted, Files.readAllBytes(job.resolve("executed.ipynb")));
    assertFalse(Files.exists(job.resolve("outputs/ran.txt")));
    assertTrue(verify().passed());
  }

  /**
   * #14: an operator who changes the rows (a copy of the dataset with one person left out, say) and sets
   * {@code DCR_INPUTS} to the changed rows' commitment had the launcher run the approved notebook on them: it checked the
   * inputs against what the operator said. Now the image's approved inputs decide, and the run is refused.
   */
  /** The run ends attested as refused for inputs the image was not approved for, and the notebook wrote nothing. */
  private void launch_isRefusedAsNotApproved() throws IOException {
    assertEquals(Launcher.ATTESTED, launch());
    assertEquals(JobOutcome.failed(Launcher.INPUTS_NOT_APPROVED), manifest().outcome());
    assertFalse(Files.exists(job.resolve("outputs/ran.txt")), "the notebook ran");
  }

  @Test
  void run_changedRowsWithTheOperatorsMatchingCommitment_areRefused_andTheNotebookDoesNotRun() throws IOException {
    TestNotebooks.write(notebook, "Dcr.output(\"ran.txt\").write(\"rows \" + Dcr.dataset(\"insurance\").table().rowCount());");
    Path rows = input.resolve("insurance/real.csv");
    List<String> lines = Files.readAllLines(rows);
    Files.write(rows, lines.subList(0, lines.size() - 1));
    byte[] key = InputCommitment.readKey(input.resolve("insurance/" + InputCommitment.KEY_FILE));
    TreeMap<String, Sha256> operators = new TreeMap<>(JobConfig.fromEnvironment(environment).inputs());
    operators.put("insurance/real.csv", new Sha256(InputCommitment.of(key, rows)));
    environment.putAll(JobConfig.of("job-7", operators).environment());

    launch_isRefusedAsNotApproved();
    assertTrue(verify().passed(), "the refusal is attested");
  }

  @Test
  void run_anotherDatasetThanTheApprovedOne_isRefused() throws IOException {
    TestNotebooks.write(notebook, "Dcr.output(\"ran.txt\").write(\"rows \" + Dcr.dataset(\"other\").table().rowCount());");
    Path other = Files.createDirectories(input.resolve("other"));
    Files.copy(Path.of("..", "datasets", "insurance", "real.csv"), other.resolve("real.csv"));
    Files.writeString(other.resolve("policy.yaml"), Files.readString(input.resolve("insurance/policy.yaml"))
        .replace("dataset: insurance", "dataset: other"));
    byte[] key = InputCommitment.loadOrCreateKey(other);
    TreeMap<String, Sha256> operators = new TreeMap<>();
    for (String name : List.of("other/real.csv", "other/policy.yaml", "other/" + InputCommitment.KEY_FILE)) {
      operators.put(name, new Sha256(InputCommitment.of(key, input.resolve(name))));
    }
    for (String name : List.of("real.csv", "policy.yaml", InputCommitment.KEY_FILE)) {
      Files.delete(input.resolve("insurance").resolve(name));
    }
    environment.putAll(JobConfig.of("job-7", operators).environment());

    launch_isRefusedAsNotApproved();
  }

  @Test
  void run_withoutAnApprovedInput_isRefused() throws IOException {
    TestNotebooks.write(notebook, "Dcr.output(\"ran.txt\").write(\"yes\");");
    TreeMap<String, Sha256> fewer = new TreeMap<>(JobConfig.fromEnvironment(environment).inputs());
    fewer.remove("insurance/policy.yaml");
    Files.delete(input.resolve("insurance/policy.yaml"));
    environment.putAll(JobConfig.of("job-7", fewer).environment());

    launch_isRefusedAsNotApproved();
  }

  @Test
  void run_anImageWithoutApprovedInputs_isRefused() throws IOException {
    TestNotebooks.write(notebook, "Dcr.output(\"ran.txt\").write(\"yes\");");
    Files.delete(work.resolve("inputs.json"));
    launch_isRefusedAsNotApproved();
  }

  @Test
  void run_aFileThatIsNotANotebook_failsSayingSo() throws IOException {
    Files.writeString(notebook, "System.out.println(1);");
    assertEquals(Launcher.ATTESTED, launch());
    assertEquals(JobOutcome.failed("the notebook is not JSON; it did not run"), manifest().outcome());
  }

  @Test
  void run_withoutAJobId_doesNotStartAndWritesNothing() throws IOException {
    TestNotebooks.write(notebook, "1");
    environment.remove(JobConfig.JOB_ID);
    assertEquals(Launcher.NOT_STARTED, launch());
    try (Stream<Path> files = Files.list(job)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void run_intoAJobFolderThatIsNotEmpty_doesNotStart() throws IOException {
    TestNotebooks.write(notebook, "1");
    Files.writeString(job.resolve("manifest.json"), "{}");
    assertEquals(Launcher.NOT_STARTED, launch());
    assertEquals("{}", Files.readString(job.resolve("manifest.json")));
  }

  @Test
  void run_anInvalidLimit_failsAttestingTheRefusal() throws IOException {
    TestNotebooks.write(notebook, "1");
    environment.put(JobConfig.MAX_OUTPUT_BYTES, "lots");
    assertEquals(Launcher.ATTESTED, launch());
    assertEquals(JobOutcome.failed("the job's configuration is invalid: DCR_MAX_OUTPUT_BYTES must be a whole number, not 'lots'"),
        manifest().outcome());
  }

  @Test
  void run_withAJobPlanThatCannotBeFetched_attestsTheFailure_butCannotUploadIt() throws IOException {
    TestNotebooks.write(notebook, "Dcr.output(\"ran.txt\").write(\"yes\");");
    try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
      environment.put(JobConfig.JOB_PLAN_URL, "http://127.0.0.1:" + closed.getLocalPort() + "/plan.json?X-Goog-Signature=secret");
    }
    assertEquals(Launcher.NOT_UPLOADED, launch());
    JobOutcome outcome = manifest().outcome();
    assertEquals(JobOutcome.failed("the inputs could not be fetched: tried to fetch the job plan but failed because:"
        + " ConnectException (tried 5 times); the notebook did not run"), outcome);
    assertEquals(4, pauses.size(), "a refused connection may be a hiccup: tried again after waiting");
    assertFalse(Files.exists(job.resolve("outputs/ran.txt")));
    assertFalse(log.toString(StandardCharsets.UTF_8).contains("secret"), log.toString(StandardCharsets.UTF_8));
  }
}
