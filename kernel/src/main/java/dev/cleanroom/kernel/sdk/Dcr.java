package dev.cleanroom.kernel.sdk;

import dev.cleanroom.dp.client.DpClient;
import dev.cleanroom.kernel.display.Displays;
import java.util.List;

/**
 * The clean room from a notebook: the same calls in both stages.
 *
 * <pre>{@code
 * var ins = Dcr.dataset("insurance");   // stage 1: synthetic or mock rows; stage 2: the real rows
 * Table t = ins.table();
 * Table s = ins.synthetic();             // the DP synthetic rows, in both stages: compare with t in stage 2
 * double m = ins.dp().mean("charges", 0.1);   // a DP answer; stage 1 charges it to your budget
 * Dcr.budget();                          // spent and left, per dataset
 * Dcr.output("model.txt").write("...");  // a file the job returns (stage 2) or scratch (stage 1)
 * }</pre>
 *
 * <p>The stage and every endpoint come from the environment the clean room starts the kernel with
 * ({@code DCR_STAGE}, {@code DCR_DP_URL}, {@code DCR_TOKEN}, {@code DCR_INPUT_DIR},
 * {@code DCR_OUTPUT_DIR}); nothing here lets a notebook change them.
 */
public final class Dcr {
  private static volatile CleanRoom cleanRoom;

  private Dcr() {}

  /** The stage this notebook runs in. */
  public static Stage stage() {
    return cleanRoom().stage();
  }

  /** The names of the datasets this notebook may use. */
  public static List<String> datasets() {
    return cleanRoom().datasetNames();
  }

  /** A dataset by name; fails with the list of names if there is no such dataset. */
  public static Dataset dataset(String name) {
    return cleanRoom().dataset(name);
  }

  /** This scientist's privacy budget on each dataset: total, spent, left (stage 1). */
  public static Budget budget() {
    return cleanRoom().budget();
  }

  /**
   * A file the job returns: under the output folder in stage 2, under a scratch folder in stage 1.
   * The name is relative, such as {@code model.txt} or {@code plots/age.png}; {@code ..} and absolute
   * paths are refused.
   */
  public static Output output(String name) {
    return cleanRoom().output(name);
  }

  /** Shows a value as an output of the running cell: tables as HTML, charts as images. */
  public static void show(Object value) {
    Displays.show(value);
  }

  /**
   * A progress bar of {@code total} steps, shown now in the running cell's output and updated in place
   * as {@link Progress#step()} is called; {@link Progress#done()} ends it.
   */
  public static Progress progress(String label, long total) {
    return Progress.start(label, total);
  }

  /** A progress bar without a label; see {@link #progress(String, long)}. */
  public static Progress progress(long total) {
    return Progress.start("", total);
  }

  /** Same as {@link #show}; imported into every cell as {@code display(...)}. */
  public static void display(Object value) {
    Displays.show(value);
  }

  static CleanRoom cleanRoom() {
    CleanRoom current = cleanRoom;
    if (current == null) {
      synchronized (Dcr.class) {
        current = cleanRoom;
        if (current == null) {
          current = new CleanRoom(Environment.of(System.getenv()), null);
          cleanRoom = current;
        }
      }
    }
    return current;
  }

  /** For tests and embedding tools in this JVM: a clean room with a given environment and DP client. */
  static void use(Environment environment, DpClient client) {
    cleanRoom = new CleanRoom(environment, client);
  }
}
