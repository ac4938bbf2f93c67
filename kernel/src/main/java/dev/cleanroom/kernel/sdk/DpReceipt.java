package dev.cleanroom.kernel.sdk;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.mechanisms.DpAnswer;
import dev.cleanroom.kernel.display.Html;
import dev.cleanroom.kernel.display.Renderable;
import java.util.Map;
import java.util.Optional;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * A DP answer as the notebook shows it: the query, the noisy value, what it cost, the noise scale and
 * (stage 1) the budget left on the dataset. The text form starts with {@code DP } so that tools
 * comparing runs can tell noisy lines apart. Counts are shown post-processed (a noisy count below 0 as 0);
 * when that changed one, the receipt says so and shows the raw noisy value beside it.
 */
public record DpReceipt<T>(String dataset, String query, DpAnswer<T> answer, Optional<PrivacyCost> remaining)
    implements Renderable {

  public T value() {
    return answer.value();
  }

  public PrivacyCost cost() {
    return answer.cost();
  }

  @Override
  public DisplayData toDisplayData() {
    String left = remaining.map(r -> "left on " + dataset + ": " + r).orElse("stage 2: not charged to a budget");
    String value = answer.value() instanceof Map<?, ?> ? "(per category below)" : format(answer.value());
    String head = "DP " + query + " = " + value
        + "  ·  cost " + answer.cost() + "  ·  " + answer.mechanism() + " noise scale " + number(answer.noiseScale())
        + "  ·  " + left + postProcessing(answer);
    DisplayData data = new DisplayData(head + histogramLines());
    StringBuilder html = new StringBuilder("<div class=\"dcr-dp\"><b>DP ").append(Html.escape(query))
        .append("</b> = ").append(Html.escape(value))
        .append(" <span style=\"opacity:0.7\">· cost ").append(Html.escape(answer.cost().toString()))
        .append(" · ").append(Html.escape(answer.mechanism())).append(" noise scale ")
        .append(Html.escape(number(answer.noiseScale()))).append(" · ").append(Html.escape(left))
        .append(Html.escape(postProcessing(answer))).append("</span>");
    if (answer.value() instanceof Map<?, ?> histogram) {
      html.append("<table>");
      histogram.forEach((k, v) -> html.append("<tr><td>").append(Html.escape(String.valueOf(k)))
          .append("</td><td style=\"text-align:right\">").append(Html.escape(format(v))).append("</td></tr>"));
      html.append("</table>");
    }
    data.putHTML(html.append("</div>").toString());
    return data;
  }

  private String histogramLines() {
    if (!(answer.value() instanceof Map<?, ?> histogram)) {
      return "";
    }
    StringBuilder lines = new StringBuilder();
    histogram.forEach((k, v) -> lines.append("\nDP   ").append(k).append(": ").append(format(v)));
    return lines.toString();
  }

  /**
   * What the receipt says when post-processing changed the noisy answer, with the raw one, and how the query
   * treated missing values when its column allows them; else nothing.
   */
  static String postProcessing(DpAnswer<?> answer) {
    return (answer.postProcessed() ? "  ·  noisy counts below 0 shown as 0 (raw: " + format(answer.raw()) + ")" : "")
        + (answer.missingValues().isEmpty() ? "" : "  ·  " + answer.missingValues());
  }

  /** A value as the notebook shows it; a histogram inline as {@code female 312, male 298, (other) 1}. */
  static String format(Object value) {
    if (value instanceof Map<?, ?> histogram) {
      StringBuilder text = new StringBuilder();
      histogram.forEach((k, v) -> text.append(text.isEmpty() ? "" : ", ").append(k).append(' ').append(format(v)));
      return text.toString();
    }
    if (value instanceof Long || value instanceof Integer) {
      return String.format("%,d", ((Number) value).longValue());
    }
    if (value instanceof Double d) {
      return number(d);
    }
    return String.valueOf(value);
  }

  static String number(double value) {
    return Math.abs(value) >= 1000 ? String.format("%,.1f", value) : String.format("%.4g", value);
  }
}
