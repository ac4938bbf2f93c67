package dev.cleanroom.tee.launcher;

import dev.cleanroom.attestation.token.LauncherSocketClient;
import dev.cleanroom.tee.layout.ImageLayout;
import java.nio.file.Path;

/**
 * Where the launcher finds the notebook, the inputs, the job folder and the launcher socket. In the image
 * these are fixed ({@link ImageLayout}) and the launch policy forbids a command override; only the
 * plain-process simulator, which runs the image's files on the host, passes other paths as arguments.
 */
public record LauncherPaths(Path notebook, Path input, Path job, Path socket, Path scratch) {
  /** The paths inside the image. */
  public static LauncherPaths inImage() {
    return new LauncherPaths(Path.of(ImageLayout.NOTEBOOK), Path.of(ImageLayout.INPUT), Path.of(ImageLayout.JOB),
        LauncherSocketClient.CONTAINER_SOCKET, Path.of(ImageLayout.TMP, "dcr-launcher"));
  }

  /**
   * The paths inside the image when nothing is mounted (Confidential Space, with a job plan): there {@code /input}
   * and {@code /job} are empty mount points, so the launcher keeps both folders under /tmp (and hands the job folder
   * to the notebook's user).
   */
  public static LauncherPaths inImageWithoutMounts() {
    return new LauncherPaths(Path.of(ImageLayout.NOTEBOOK), Path.of(ImageLayout.TMP, "dcr-input"),
        Path.of(ImageLayout.TMP, "dcr-job"), LauncherSocketClient.CONTAINER_SOCKET, Path.of(ImageLayout.TMP, "dcr-launcher"));
  }

  /** The in-image paths, each replaceable by {@code --notebook}, {@code --input}, {@code --job}, {@code --socket}, {@code --scratch}. */
  public static LauncherPaths parse(String... args) {
    LauncherPaths p = inImage();
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a path");
      }
      Path value = Path.of(args[i + 1]).toAbsolutePath();
      p = switch (args[i]) {
        case "--notebook" -> new LauncherPaths(value, p.input, p.job, p.socket, p.scratch);
        case "--input" -> new LauncherPaths(p.notebook, value, p.job, p.socket, p.scratch);
        case "--job" -> new LauncherPaths(p.notebook, p.input, value, p.socket, p.scratch);
        case "--socket" -> new LauncherPaths(p.notebook, p.input, p.job, value, p.scratch);
        case "--scratch" -> new LauncherPaths(p.notebook, p.input, p.job, p.socket, value);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; the launcher takes --notebook, --input, --job, --socket and --scratch");
      };
    }
    return p;
  }

  /** The inputs the image was approved for: beside the notebook, in the same layer ({@link ImageLayout#APPROVED_INPUTS}). */
  public Path approvedInputs() {
    return notebook.resolveSibling(Path.of(ImageLayout.APPROVED_INPUTS).getFileName());
  }

  /** These paths as arguments, for {@link #parse}. */
  public java.util.List<String> arguments() {
    return java.util.List.of("--notebook", notebook.toString(), "--input", input.toString(), "--job", job.toString(),
        "--socket", socket.toString(), "--scratch", scratch.toString());
  }
}
