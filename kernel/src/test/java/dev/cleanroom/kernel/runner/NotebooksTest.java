package dev.cleanroom.kernel.runner;

import dev.cleanroom.kernel.PythonTests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headless notebooks: nbclient with the dcr-java kernel and {@link RunNotebook} agree on a notebook
 * that uses a table, charts, DP queries and an output; the runner stops at a failing cell and at a
 * cell's timeout. Runs in stage 2 on the insurance rows, so no DP query service is needed.
 */
class NotebooksTest {
  @Test
  void nbclientAndJavaRunnerAgree(@TempDir Path work) throws Exception {
    Path input = stage2Inputs(work.resolve("input"));
    Map<String, String> stage2 = Map.of("DCR_STAGE", "execution", "DCR_INPUT_DIR", input.toString(),
        "DCR_OUTPUT_DIR", work.resolve("output").toString());
    String classpath = Path.of("target/classes").toAbsolutePath() + java.io.File.pathSeparator
        + Files.readString(Path.of("target/classpath.txt")).strip();
    Map<String, String> env = new java.util.HashMap<>(stage2);
    env.put("DCR_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    env.put("DCR_KERNEL_CLASSPATH", classpath);
    PythonTests.pytest(PythonTests.jupyterPath(work.resolve("jupyter"), Map.of()),
        Path.of("target/test-output/notebooks"), env, "src/test/python/test_notebooks.py");
  }

  /** DCR_INPUT_DIR as the TEE launcher lays it out: insurance/real.csv and insurance/policy.yaml. */
  static Path stage2Inputs(Path dir) throws IOException {
    Path insurance = Files.createDirectories(dir.resolve("insurance"));
    Path datasets = Path.of("..", "datasets", "insurance");
    Files.copy(datasets.resolve("real.csv"), insurance.resolve("real.csv"));
    Files.copy(datasets.resolve("policy.yaml"), insurance.resolve("policy.yaml"));
    return dir;
  }
}
