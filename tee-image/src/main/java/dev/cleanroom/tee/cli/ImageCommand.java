package dev.cleanroom.tee.cli;

import dev.cleanroom.tee.api.ApprovedInputs;
import dev.cleanroom.tee.api.BuiltImage;
import dev.cleanroom.tee.api.ImageBuildException;
import dev.cleanroom.tee.api.ImageBuilder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * {@code dcr image build <notebook.ipynb> [--inputs LIST] (--out <oci-dir> | --push REF)}: builds a notebook's
 * stage-2 image, approved to read the inputs listed, into an OCI layout folder, or pushes it to a registry. Prints the image digest on stdout, progress on
 * stderr. Exit status 0 when built, 1 when the build failed, 2 for a usage error.
 */
public final class ImageCommand {
  static final String USAGE = """
      usage: dcr image build <notebook.ipynb> [--inputs LIST] (--out <oci-dir> | --push <host:port/repository:tag>)

        --inputs LIST  the inputs the image may read, as DCR_INPUTS spells them: name=commitment,... (e.g.
                       insurance/real.csv=<hex>,insurance/policy.yaml=<hex>,...; a job manifest's "inputs");
                       without it the image may read no input, and its launcher refuses any job that names one
        --out DIR      write the image as an OCI image layout into DIR (a new folder)
        --push REF     push the image to a registry instead (plain HTTP only on loopback)

      Prints the image digest: what a TEE running the image attests. The build is reproducible: the same
      notebook, inputs, launcher bundle and base-runtime.lock give the same digest on any machine with the
      pinned JDK.
      """;

  private final PrintStream out;
  private final PrintStream err;

  ImageCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(new ImageCommand(System.out, System.err).run(args));
  }

  int run(String... args) {
    Deque<String> rest = new ArrayDeque<>(Arrays.asList(args));
    if (rest.isEmpty() || !rest.peek().equals("build")) {
      err.println("dcr image: the verb is 'build'");
      err.print(USAGE);
      return rest.contains("--help") || rest.contains("-h") ? 0 : 2;
    }
    rest.pop();
    Path notebook = null;
    Path layout = null;
    String push = null;
    ApprovedInputs inputs = ApprovedInputs.none();
    try {
      while (!rest.isEmpty()) {
        String arg = rest.pop();
        switch (arg) {
          case "-h", "--help" -> {
            out.print(USAGE);
            return 0;
          }
          case "--out" -> layout = Path.of(Arguments.value(rest, arg));
          case "--push" -> push = Arguments.value(rest, arg);
          case "--inputs" -> inputs = ApprovedInputs.parseList(Arguments.value(rest, arg), "--inputs");
          default -> {
            if (arg.startsWith("-") || notebook != null) {
              return usage("unexpected argument '" + arg + "'");
            }
            notebook = Path.of(arg);
          }
        }
      }
    } catch (IllegalArgumentException e) {
      return usage(e.getMessage());
    }
    if (notebook == null || (layout == null) == (push == null)) {
      return usage("name the notebook, and either --out or --push");
    }
    try {
      ImageBuilder builder = ImageBuilder.builder().progress(line -> err.println("==> " + line)).build();
      BuiltImage image = layout != null ? builder.build(notebook, inputs, layout) : builder.push(notebook, inputs, push);
      err.println("==> Built " + image.reference() + " in " + image.took().toMillis() + " ms"
          + image.layout().map(l -> " into " + l).orElse(", pushed as " + push));
      out.println(image.digest());
      return 0;
    } catch (ImageBuildException e) {
      err.println("dcr image build: " + e.getMessage() + " [" + e.code() + "]");
      return 1;
    }
  }

  private int usage(String problem) {
    err.println("dcr image build: " + problem);
    err.print(USAGE);
    return 2;
  }
}
