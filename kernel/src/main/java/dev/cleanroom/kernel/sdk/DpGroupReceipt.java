package dev.cleanroom.kernel.sdk;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.mechanisms.DpAnswer;
import dev.cleanroom.kernel.display.Html;
import dev.cleanroom.kernel.display.Renderable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * DP answers per group as the notebook shows them: the query, one noisy value per group, what the one
 * charge cost and (stage 1) the budget left. Like {@link DpReceipt}, each text line starts with
 * {@code DP }.
 *
 * @param cost what the whole group-by cost: one group's cost
 */
public record DpGroupReceipt<T>(
    String dataset, String query, Map<String, DpAnswer<T>> groups, PrivacyCost cost, Optional<PrivacyCost> remaining)
    implements Renderable {
  public DpGroupReceipt {
    groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
  }

  /** Group → noisy value, in the policy's order of the categories. */
  public Map<String, T> values() {
    Map<String, T> values = new LinkedHashMap<>();
    groups.forEach((group, answer) -> values.put(group, answer.value()));
    return Collections.unmodifiableMap(values);
  }

  @Override
  public DisplayData toDisplayData() {
    String mechanism = groups.values().stream().findFirst().map(DpAnswer::mechanism).orElse("no groups");
    String left = remaining.map(r -> "left on " + dataset + ": " + r).orElse("stage 2: not charged to a budget");
    String summary = "cost " + cost + " for all " + groups.size() + " groups  ·  " + mechanism + " noise  ·  " + left;
    StringBuilder text = new StringBuilder("DP " + query + "  ·  " + summary);
    StringBuilder html = new StringBuilder("<div class=\"dcr-dp\"><b>DP ").append(Html.escape(query))
        .append("</b> <span style=\"opacity:0.7\">· ").append(Html.escape(summary)).append("</span>")
        .append("<table><tr><th></th><th>answer</th><th>noise scale</th></tr>");
    groups.forEach((group, answer) -> {
      // The scale differs by group for a mean: the sum's scale over the group's noisy count.
      String value = DpReceipt.format(answer.value()) + DpReceipt.postProcessing(answer);
      String scale = DpReceipt.number(answer.noiseScale());
      text.append("\nDP   ").append(group).append(": ").append(value).append("  (noise scale ").append(scale).append(')');
      html.append("<tr><td>").append(Html.escape(group)).append("</td><td style=\"text-align:right\">")
          .append(Html.escape(value)).append("</td><td style=\"text-align:right;opacity:0.7\">")
          .append(Html.escape(scale)).append("</td></tr>");
    });
    DisplayData data = new DisplayData(text.toString());
    data.putHTML(html.append("</table></div>").toString());
    return data;
  }
}
