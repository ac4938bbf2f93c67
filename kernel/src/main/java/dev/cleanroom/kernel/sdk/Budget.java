package dev.cleanroom.kernel.sdk;

import dev.cleanroom.dp.client.BudgetStatus;
import dev.cleanroom.kernel.display.Html;
import dev.cleanroom.kernel.display.Renderable;
import java.util.List;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/** This scientist's privacy budget on each dataset that answers DP queries. */
public record Budget(Stage stage, List<BudgetStatus> datasets) implements Renderable {
  public Budget {
    datasets = List.copyOf(datasets);
  }

  @Override
  public DisplayData toDisplayData() {
    if (stage == Stage.EXECUTION) {
      return new DisplayData("Stage 2 (execution): DP queries run inside the TEE and are not charged to a budget;"
          + " outputs are reviewed before release.");
    }
    if (datasets.isEmpty()) {
      return new DisplayData("No dataset available to you answers DP queries.");
    }
    StringBuilder text = new StringBuilder(String.format("%-20s %-26s %-26s %s", "dataset", "budget", "spent", "left"));
    StringBuilder html = new StringBuilder("<table><thead><tr><th>dataset</th><th>budget</th><th>spent</th><th>left</th>"
        + "</tr></thead><tbody>");
    for (BudgetStatus status : datasets) {
      text.append(String.format("%n%-20s %-26s %-26s %s", status.dataset(), status.budget(), status.spent(), status.remaining()));
      html.append("<tr><td>").append(Html.escape(status.dataset())).append("</td><td>")
          .append(Html.escape(status.budget().toString())).append("</td><td>")
          .append(Html.escape(status.spent().toString())).append("</td><td>")
          .append(Html.escape(status.remaining().toString())).append("</td></tr>");
    }
    DisplayData data = new DisplayData(text.toString());
    data.putHTML(html.append("</tbody></table>").toString());
    return data;
  }
}
