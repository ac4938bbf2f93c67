package dev.cleanroom.kernel.sdk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;

/**
 * A file the job returns. In stage 2 it lies under the output folder, is hashed into the attestation
 * report and is held until the provider releases it; in stage 1 it goes to a scratch folder so the
 * same notebook runs.
 *
 * <p>Invariant: the path is inside the output (or scratch) folder: names with {@code ..}, absolute
 * names and empty names are refused.
 */
public final class Output {
  private final Path path;
  private final String name;
  private final Stage stage;

  private Output(Path path, String name, Stage stage) {
    this.path = path;
    this.name = name;
    this.stage = stage;
  }

  static Output resolve(Path root, String name, Stage stage) {
    if (name == null || name.isBlank()) {
      throw new SdkException("invalid_output_name", "An output needs a file name, such as \"model.txt\"");
    }
    String normalised = name.replace('\\', '/');
    if (normalised.startsWith("/") || normalised.matches("^[A-Za-z]:.*") || Path.of(name).isAbsolute()) {
      throw new SdkException("invalid_output_name", "Output name '" + name + "' is absolute; give a name relative"
          + " to the job's output folder, such as \"model.txt\" or \"plots/age.png\"");
    }
    for (String part : normalised.split("/")) {
      if (part.equals("..")) {
        throw new SdkException("invalid_output_name", "Output name '" + name + "' contains '..'; outputs stay"
            + " inside the job's output folder");
      }
    }
    Path base = root.toAbsolutePath().normalize();
    Path path = base.resolve(normalised).normalize();
    if (!path.startsWith(base) || path.equals(base)) {
      throw new SdkException("invalid_output_name", "Output name '" + name + "' does not name a file in the output folder");
    }
    return new Output(path, normalised, stage);
  }

  /** Where the file is written. */
  public Path path() {
    return path;
  }

  public String name() {
    return name;
  }

  public Output write(String text) {
    return write(text.getBytes(StandardCharsets.UTF_8));
  }

  public Output write(byte[] bytes) {
    try {
      Files.createDirectories(path.getParent());
      Files.write(path, bytes);
      return this;
    } catch (IOException e) {
      throw new SdkException("output_failed", "Tried to write output '" + name + "' but failed because: " + e.getMessage(), e);
    }
  }

  /** Writes a table as CSV. */
  public Output write(Table table) {
    try {
      Files.createDirectories(path.getParent());
      table.write().csv(path.toFile());
      return this;
    } catch (IOException e) {
      throw new SdkException("output_failed", "Tried to write output '" + name + "' but failed because: " + e.getMessage(), e);
    }
  }

  /** Writes a chart as PNG. */
  public Output write(Chart<?, ?> chart) {
    try {
      return write(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    } catch (IOException e) {
      throw new SdkException("output_failed", "Tried to draw output '" + name + "' but failed because: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return stage == Stage.EXECUTION
        ? "output " + name + " (returned with the job, after the provider's review)"
        : "output " + name + " (stage 1: written to a scratch folder, see path(); in stage 2 it is returned with the job)";
  }
}
