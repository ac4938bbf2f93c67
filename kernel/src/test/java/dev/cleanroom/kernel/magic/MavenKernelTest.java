package dev.cleanroom.kernel.magic;

import dev.cleanroom.kernel.PythonTests;
import dev.cleanroom.kernel.maven.LocalMavenRepository;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code %maven} in a real dcr-java kernel process driven by nbclient: the next cell uses the library, and the
 * notebook nbformat writes carries the lock in the {@code %maven} cell's output.
 */
class MavenKernelTest {
  @Test
  void savedNotebookCarriesTheLock(@TempDir Path jupyter, @TempDir Path remote, @TempDir Path local) throws Exception {
    LocalMavenRepository repository = new LocalMavenRepository(remote);
    repository.publishGreeter();
    Path jupyterPath = PythonTests.jupyterPath(jupyter, Map.of("DCR_MAVEN_REPOSITORY", remote.toUri().toString(),
        "DCR_MAVEN_LOCAL_REPOSITORY", local.toString()));
    PythonTests.pytest(jupyterPath, Path.of("target/test-output/maven-magic"), Map.of(
        "DCR_TEST_GREETER_SHA256", LocalMavenRepository.digest("SHA-256", repository.jar("org.example:greeter:1.0")),
        "DCR_TEST_WORDS_SHA256", LocalMavenRepository.digest("SHA-256", repository.jar("org.example:words:1.0"))),
        "src/test/python/test_maven_magic.py");
  }
}
