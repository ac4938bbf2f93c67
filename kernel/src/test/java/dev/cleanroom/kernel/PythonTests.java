package dev.cleanroom.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cleanroom.kernel.jupyter.KernelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the kernel's Python-driven tests (src/test/python) with the pinned tools of {@code ./dcr test}
 * (system property {@code dcr.python}) against a dcr-java kernelspec pointing at this build.
 * Without the interpreter the test fails rather than skips: a green run must have run them.
 */
public final class PythonTests {
  private static final String INSTALL_HINT = "These tests need the pinned Python tools: run them with ./dcr test"
      + " (or pass -Ddcr.python=<venv>/bin/python)";

  private PythonTests() {}

  public static Path python() {
    String property = System.getProperty("dcr.python");
    if (property == null || property.isBlank() || property.startsWith("${") || !Files.isExecutable(Path.of(property))) {
      fail(INSTALL_HINT + " (dcr.python is '" + property + "')");
    }
    return Path.of(property);
  }

  /** A Jupyter data folder holding a dcr-java kernelspec that runs this build's classes. */
  public static Path jupyterPath(Path dir, Map<String, String> kernelEnv) throws IOException {
    String classpath = Path.of("target/classes").toAbsolutePath() + java.io.File.pathSeparator
        + Files.readString(Path.of("target/classpath.txt")).strip();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    KernelSpec.write(dir.resolve("kernels").resolve(KernelSpec.NAME), java, classpath, kernelEnv);
    return dir;
  }

  /** Runs pytest on some files of src/test/python; fails with pytest's output if any test fails. */
  public static void pytest(Path jupyterPath, Path outputDir, Map<String, String> env, String... arguments)
      throws IOException, InterruptedException {
    Files.createDirectories(outputDir);
    List<String> command = new ArrayList<>(List.of(python().toString(), "-m", "pytest", "-q", "-p", "no:cacheprovider",
        "--rootdir", "src/test/python"));
    command.addAll(List.of(arguments));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(outputDir.resolve("pytest.log").toFile());
    builder.environment().put("JUPYTER_PATH", jupyterPath.toString());
    builder.environment().put("JUPYTER_DATA_DIR", jupyterPath.resolve("data").toString());
    builder.environment().put("JUPYTER_RUNTIME_DIR", jupyterPath.resolve("runtime").toString());
    builder.environment().put("JUPYTER_CONFIG_DIR", jupyterPath.resolve("config").toString());
    builder.environment().put("DCR_TEST_OUTPUT", outputDir.toAbsolutePath().toString());
    builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      fail("pytest did not finish in 10 minutes; its log: " + outputDir.resolve("pytest.log"));
    }
    String log = Files.readString(outputDir.resolve("pytest.log"));
    System.out.println(log);
    assertEquals(0, process.exitValue(), "pytest failed:\n" + log);
  }
}
