package dev.cleanroom.dp.opendp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * OpenDP's own Python package, asked through {@code src/test/python/opendp_reference.py}: the
 * reference our binding must agree with.
 *
 * <p>The interpreter is the one {@code ./dcr test} installs with the pinned {@code opendp} and passes
 * as system property {@code dcr.python}. Without it the cross-check fails instead of skipping: a
 * skipped acceptance check would read like a passed one.
 */
final class PythonReference {
  static final String INSTALL_HINT =
      "the OpenDP cross-check needs OpenDP's Python package: run ./dcr test, which installs it";

  private static final Path SCRIPT = Path.of("src/test/python/opendp_reference.py").toAbsolutePath();
  private static final long TIMEOUT_SECONDS = 120;

  private final Path python;

  private PythonReference(Path python) {
    this.python = python;
  }

  /** The reference run by the interpreter named in {@code dcr.python}; fails the test if there is none. */
  static PythonReference fromSystemProperty() {
    return new PythonReference(interpreter(System.getProperty("dcr.python")));
  }

  /** The interpreter a {@code dcr.python} value names: Maven leaves "${dcr.python}" when it was never set. */
  static Path interpreter(String property) {
    if (property == null || property.isBlank() || property.contains("${")) {
      fail(INSTALL_HINT);
    }
    Path path = Path.of(property);
    if (!Files.isExecutable(path)) {
      fail(INSTALL_HINT + " (dcr.python is '" + property + "', which is not an executable file)");
    }
    return path;
  }

  /** One answer per request, in order: the numbers the script printed on that request's line. */
  List<double[]> ask(String... requests) {
    // Both pipes are drained on their own threads, so a chatty script can never block on a full pipe.
    try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
      Process process = new ProcessBuilder(python.toString(), SCRIPT.toString()).start();
      Future<String> out = readers.submit(() -> text(process.getInputStream()));
      Future<String> errors = readers.submit(() -> text(process.getErrorStream()));
      try (Writer in = process.outputWriter(UTF_8)) {
        for (String request : requests) {
          in.write(request + "\n");
        }
      } catch (IOException scriptEndedEarly) {
        // A broken pipe: the script has already exited, and its exit status and stderr below say why.
      }
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("OpenDP's Python package did not answer within " + TIMEOUT_SECONDS + " s: " + List.of(requests));
      }
      if (process.exitValue() != 0) {
        fail("Tried to ask OpenDP's Python package " + List.of(requests) + " but " + SCRIPT.getFileName()
            + " failed because: " + errors.get().strip());
      }
      List<double[]> answers = new ArrayList<>();
      for (String line : out.get().strip().split("\n")) {
        answers.add(Arrays.stream(line.trim().split(" ")).mapToDouble(Double::parseDouble).toArray());
      }
      if (answers.size() != requests.length) {
        fail("OpenDP's Python package gave " + answers.size() + " answers to " + requests.length + " requests");
      }
      return answers;
    } catch (IOException | ExecutionException e) {
      throw new IllegalStateException("Tried to run " + python + " " + SCRIPT + " but failed because: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for OpenDP's Python package", e);
    }
  }

  private static String text(InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
