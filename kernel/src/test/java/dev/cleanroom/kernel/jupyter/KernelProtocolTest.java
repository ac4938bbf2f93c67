package dev.cleanroom.kernel.jupyter;

import dev.cleanroom.kernel.PythonTests;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dcr-java kernel as Jupyter clients see it: jupyter_kernel_test's conformance suite (execute,
 * streams, display data, errors, completion, inspection, is_complete, history) and interrupt,
 * System.exit and restart, all through jupyter_client against a real kernel process.
 */
class KernelProtocolTest {
  @Test
  void kernelPassesJupyterKernelTestAndUserBehaviours(@TempDir Path jupyter) throws Exception {
    PythonTests.pytest(PythonTests.jupyterPath(jupyter, Map.of()), Path.of("target/test-output/kernel-protocol"),
        Map.of(), "src/test/python/test_kernel_protocol.py");
  }
}
