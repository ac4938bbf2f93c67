package dev.cleanroom.images;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * {@code dcr images [--push REGISTRY] [--tag TAG] [--out DIR] [--only NAME,...] [--checkout DIR]}: builds the
 * deployment's images into OCI layout folders, and pushes them when asked. Prints one line per image on stdout,
 * {@code <name> <digest>} (and the pushed reference), progress on stderr. Exit status 0 when all were built, 1 when
 * one failed, 2 for a usage error.
 */
public final class ImagesCommand {
  static final String USAGE = """
      usage: dcr images [--push REGISTRY] [--tag TAG] [--out DIR] [--only NAME,...]

        --out DIR        write each image as an OCI layout into DIR/<name> (default: images/target/images)
        --push REGISTRY  also push each image as REGISTRY/<name>:TAG (host:port[/path]; plain HTTP only on loopback)
        --tag TAG        the tag (default: latest)
        --only NAMES     build only these, comma-separated (default: all)
        --checkout DIR   the checkout './dcr build' built (default: the current folder)

      Images: cleanroom-bridge, cleanroom-dp-service, cleanroom-singleuser (needs root: its Python environment is
      installed in a chroot). Prints '<name> <digest>' per image. The builds are reproducible: the same jars, wheels
      and lock files give the same digests on any machine with the pinned JDK, and a pushed image has the digest
      of the built one.
      """;

  private final PrintStream out;
  private final PrintStream err;

  ImagesCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(new ImagesCommand(System.out, System.err).run(args));
  }

  int run(String... args) {
    Deque<String> rest = new ArrayDeque<>(Arrays.asList(args));
    Path checkout = Path.of(".");
    Path outDir = null;
    String registry = null;
    String tag = "latest";
    List<DeploymentImage> images = List.of(DeploymentImage.values());
    while (!rest.isEmpty()) {
      String arg = rest.pop();
      if (arg.equals("-h") || arg.equals("--help")) {
        out.print(USAGE);
        return 0;
      }
      if (!List.of("--out", "--push", "--tag", "--only", "--checkout").contains(arg)) {
        return usage("unexpected argument '" + arg + "'");
      }
      if (rest.isEmpty()) {
        return usage(arg + " needs a value");
      }
      String value = rest.pop();
      switch (arg) {
        case "--out" -> outDir = Path.of(value);
        case "--push" -> registry = value;
        case "--tag" -> tag = value;
        case "--checkout" -> checkout = Path.of(value);
        default -> {
          List<DeploymentImage> named = new ArrayList<>();
          for (String name : value.split(",")) {
            var image = DeploymentImage.named(name.strip());
            if (image.isEmpty()) {
              return usage("no image '" + name.strip() + "'");
            }
            named.add(image.get());
          }
          images = named;
        }
      }
    }
    if (outDir == null) {
      outDir = checkout.resolve("images").resolve("target").resolve("images");
    }
    DeploymentImages builder = DeploymentImages.builder().checkout(checkout)
        .progress(line -> err.println("==> " + line)).build();
    int status = 0;
    for (DeploymentImage image : images) {
      try {
        PublishedImage built = builder.build(image, outDir, tag);
        String line = image.repository() + " " + built.digest();
        if (registry != null) {
          PublishedImage pushed = builder.push(image, registry, tag);
          if (!pushed.digest().equals(built.digest())) {
            throw new ImagesException("push_failed", "Tried to push " + image.repository() + " but failed because: the"
                + " registry holds " + pushed.digest() + ", not the built " + built.digest() + ". Report this: the build"
                + " is not reproducible.");
          }
          line += " " + pushed.reference();
        }
        err.println("==> Built " + image.repository() + " in " + built.took().toMillis() + " ms into " + built.layout().orElseThrow());
        out.println(line);
      } catch (ImagesException e) {
        err.println("dcr images: " + e.getMessage() + " [" + e.code() + "]");
        status = 1;
      }
    }
    return status;
  }

  private int usage(String problem) {
    err.println("dcr images: " + problem);
    err.print(USAGE);
    return 2;
  }
}
