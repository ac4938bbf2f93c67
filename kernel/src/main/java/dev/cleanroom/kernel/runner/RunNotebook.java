package dev.cleanroom.kernel.runner;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code ./dcr run-notebook <in.ipynb> --out <out.ipynb> [--cell-timeout S] [--timeout S]}: runs a
 * notebook headless. Exit status 0 when every cell ran, 1 when a cell failed or timed out (the
 * notebook is written either way), 2 for a usage error.
 */
public final class RunNotebook {
  private RunNotebook() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    Path input = null;
    Path output = null;
    Duration cellTimeout = Duration.ofMinutes(10);
    Duration totalTimeout = Duration.ofHours(1);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--out" -> output = Path.of(value(args, ++i));
        case "--cell-timeout" -> cellTimeout = Duration.ofSeconds(Long.parseLong(value(args, ++i)));
        case "--timeout" -> totalTimeout = Duration.ofSeconds(Long.parseLong(value(args, ++i)));
        default -> {
          if (input != null || args[i].startsWith("--")) {
            usage("unexpected argument '" + args[i] + "'");
          }
          input = Path.of(args[i]);
        }
      }
    }
    if (input == null || output == null) {
      usage("give the notebook to run and --out for the executed copy");
    }
    NotebookRunner.Result result = new NotebookRunner(cellTimeout, totalTimeout).run(input, output);
    System.err.println((result.succeeded() ? "ok: " : "failed: ") + result.message() + "; wrote " + output);
    System.exit(result.succeeded() ? 0 : 1);
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      usage(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private static void usage(String problem) {
    System.err.println("run-notebook: " + problem
        + "\nusage: ./dcr run-notebook <in.ipynb> --out <out.ipynb> [--cell-timeout SECONDS] [--timeout SECONDS]");
    System.exit(2);
  }
}
