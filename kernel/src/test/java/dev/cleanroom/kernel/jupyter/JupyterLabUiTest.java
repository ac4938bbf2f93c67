package dev.cleanroom.kernel.jupyter;

import dev.cleanroom.kernel.PythonTests;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JupyterLab in headless Chromium (Debian's chromium + chromedriver, driven by Selenium) runs a
 * dcr-java notebook and shows its table, its chart and a progress bar updated in place; the screenshot is
 * target/test-output/jupyterlab-ui/jupyterlab.png.
 */
class JupyterLabUiTest {
  @Test
  void jupyterLabShowsATableAChartAndAProgressBar(@TempDir Path jupyter) throws Exception {
    PythonTests.pytest(PythonTests.jupyterPath(jupyter, Map.of()), Path.of("target/test-output/jupyterlab-ui"),
        Map.of(), "src/test/python/test_jupyterlab_ui.py");
  }
}
