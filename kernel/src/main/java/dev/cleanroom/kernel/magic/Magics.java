package dev.cleanroom.kernel.magic;

import dev.cleanroom.dp.client.DatasetInfo;
import dev.cleanroom.kernel.display.Html;
import dev.cleanroom.kernel.sdk.Dcr;
import dev.cleanroom.kernel.sdk.Stage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * The line magics of the kernel: a cell line starting with {@code %name args}. Each answers with a
 * value the cell shows. Magics talk to the clean room only through the notebook SDK and the
 * environment, like cell code does.
 */
public final class Magics {
  /** A line magic that cannot run; the message says why and what to do. */
  public static final class MagicException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;

    MagicException(String code, String message) {
      super(message);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  private interface Magic {
    Object run(List<String> args);
  }

  private record Entry(String usage, String help, Magic magic) {}

  private final Map<String, Entry> magics = new LinkedHashMap<>();
  private final Optional<String> bridgeUrl;

  /** @param bridgeUrl the job bridge from {@code DCR_BRIDGE_URL}, if any */
  public Magics(Optional<String> bridgeUrl) {
    this.bridgeUrl = bridgeUrl;
    magics.put("datasets", new Entry("%datasets", "the datasets you may use, with their views and budgets", args -> datasets()));
    magics.put("budget", new Entry("%budget", "your privacy budget per dataset: total, spent, left", args -> Dcr.budget()));
    magics.put("submit", new Entry("%submit", "submit this notebook for execution on the real data (stage 2)", args -> bridge("submit")));
    magics.put("jobs", new Entry("%jobs", "your submitted jobs and their states", args -> bridge("jobs")));
    magics.put("job", new Entry("%job <id>", "one job: state, report, released outputs", args -> {
      if (args.isEmpty()) {
        throw new MagicException("missing_argument", "%job needs a job id, such as %job 42; %jobs lists yours");
      }
      return bridge("job");
    }));
    magics.put("help", new Entry("%help", "this list", args -> help()));
  }

  public List<String> names() {
    return List.copyOf(magics.keySet());
  }

  /** Whether a line of a cell is a magic line. */
  public static boolean isMagicLine(String line) {
    return line.stripLeading().startsWith("%");
  }

  /** Runs a magic line such as {@code %job 42}. */
  public Object run(String line) {
    List<String> words = new ArrayList<>(Arrays.asList(line.strip().substring(1).strip().split("\\s+")));
    String name = words.isEmpty() ? "" : words.remove(0);
    if (name.startsWith("%")) {
      throw new MagicException("unknown_magic", "Cell magics (%%" + name.substring(1) + ") are not supported;"
          + " the line magics are " + list() + " (%help)");
    }
    Entry entry = magics.get(name);
    if (entry == null) {
      throw new MagicException("unknown_magic", "Unknown magic %" + name + "; the magics are " + list() + " (%help)");
    }
    return entry.magic().run(words);
  }

  private String list() {
    return String.join(", ", magics.keySet().stream().map(n -> "%" + n).toList());
  }

  private Object help() {
    StringBuilder text = new StringBuilder("Magics of the clean room kernel:");
    StringBuilder html = new StringBuilder("<table><tbody>");
    magics.values().forEach(entry -> {
      text.append(String.format("%n  %-12s %s", entry.usage(), entry.help()));
      html.append("<tr><td><code>").append(Html.escape(entry.usage())).append("</code></td><td>")
          .append(Html.escape(entry.help())).append("</td></tr>");
    });
    text.append("\nIn cells: Dcr.dataset(name).table(), .dp().mean(column, ε), Dcr.budget(), Dcr.output(name), display(x).");
    DisplayData data = new DisplayData(text.toString());
    data.putHTML(html.append("</tbody></table>").toString());
    return data;
  }

  private Object datasets() {
    if (Dcr.stage() == Stage.EXECUTION) {
      return new DisplayData("Datasets of this job (stage 2, real rows): " + String.join(", ", Dcr.datasets()));
    }
    List<DatasetInfo> infos = Dcr.datasets().stream().map(name -> Dcr.dataset(name).info().orElseThrow()).toList();
    StringBuilder text = new StringBuilder(String.format("%-16s %-10s %-28s %-26s %s", "dataset", "owner", "views",
        "budget per scientist", "description"));
    StringBuilder html = new StringBuilder("<table><thead><tr><th>dataset</th><th>owner</th><th>views</th>"
        + "<th>budget per scientist</th><th>description</th></tr></thead><tbody>");
    for (DatasetInfo info : infos) {
      String views = String.join(", ", info.views());
      text.append(String.format("%n%-16s %-10s %-28s %-26s %s", info.name(), info.owner(), views,
          info.budgetPerScientist(), info.description()));
      html.append("<tr><td>").append(Html.escape(info.name())).append("</td><td>").append(Html.escape(info.owner()))
          .append("</td><td>").append(Html.escape(views)).append("</td><td>")
          .append(Html.escape(info.budgetPerScientist().toString())).append("</td><td>")
          .append(Html.escape(info.description())).append("</td></tr>");
    }
    DisplayData data = new DisplayData(text.toString());
    data.putHTML(html.append("</tbody></table>").toString());
    return data;
  }

  private Object bridge(String verb) {
    if (bridgeUrl.isEmpty()) {
      throw new MagicException("no_job_bridge", "No job bridge configured (DCR_BRIDGE_URL is not set), so %" + verb
          + " cannot reach one. The clean room sets DCR_BRIDGE_URL when it starts your kernel under JupyterHub;"
          + " ask your operator, or run the notebook locally with ./dcr run-notebook.");
    }
    throw new MagicException("job_bridge_unsupported", "A job bridge is configured at " + bridgeUrl.get()
        + ", but this kernel version cannot talk to it yet: %" + verb + " arrives with the job bridge.");
  }
}
