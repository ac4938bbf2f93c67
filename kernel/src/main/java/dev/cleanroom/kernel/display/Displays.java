package dev.cleanroom.kernel.display;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.UUID;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.common.Image;
import org.dflib.jjava.jupyter.kernel.display.common.Text;
import org.dflib.jjava.jupyter.kernel.display.common.Url;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.internal.series.Series;
import tech.tablesaw.api.Table;

/**
 * Turns cell values into Jupyter display data, and sends explicit displays to whoever runs the cell
 * (the Jupyter kernel or the headless runner).
 *
 * <p>Tables show as an HTML table of their first rows with their shape; charts as PNG, plus SVG when
 * the chart is small enough for SVG to stay cheap; our SDK values render themselves
 * ({@link Renderable}); images, URLs and text use the protocol library's renderers.
 */
public final class Displays {
  /** Rows of a table shown in a notebook. */
  public static final int TABLE_ROWS = 10;
  /** Above this many points a chart is sent as PNG only: SVG would be large and slow to draw. */
  private static final int SVG_MAX_POINTS = 2_000;

  private static final Renderer FALLBACK = new Renderer();
  private static volatile Target sink;

  /** Where the running cell's displays go: new outputs, and updates of shown ones (by their display id). */
  @FunctionalInterface
  public interface Target {
    void display(DisplayData data);

    /**
     * Replaces what the outputs with this data's display id show (Jupyter's update_display_data); a
     * target that cannot replace an output shows the update as a new one.
     */
    default void update(DisplayData data) {
      display(data);
    }
  }

  static {
    Image.registerAll(FALLBACK);
    Url.registerAll(FALLBACK);
    Text.registerAll(FALLBACK);
  }

  private Displays() {}

  /** Directs {@link #show} and {@link #update} to a cell's outputs while the cell runs; {@code null} detaches. */
  public static void attach(Target cellOutputs) {
    sink = cellOutputs;
  }

  /** Shows a value now, as its own output of the running cell. */
  public static void show(Object value) {
    send(render(value), false);
  }

  /**
   * Shows a value now as an output that {@link #update} can replace in place (a progress bar, a line
   * that changes as a cell runs); returns the output's display id.
   */
  public static String showUpdatable(Object value) {
    String displayId = UUID.randomUUID().toString();
    DisplayData data = new DisplayData(render(value));
    data.setDisplayId(displayId);
    send(data, false);
    return displayId;
  }

  /** Replaces what the output {@code displayId} shows with {@code value}, where it is, in place. */
  public static void update(String displayId, Object value) {
    DisplayData data = new DisplayData(render(value));
    data.setDisplayId(displayId);
    send(data, true);
  }

  private static void send(DisplayData data, boolean update) {
    Target current = sink;
    if (current == null) { // no cell runs (a tool calling the SDK): the text, as a line
      System.out.println(data.getData(org.dflib.jjava.jupyter.kernel.display.mime.MIMEType.TEXT_PLAIN));
    } else if (update) {
      current.update(data);
    } else {
      current.display(data);
    }
  }

  /** The display data of a value. */
  public static DisplayData render(Object value) {
    if (value == null) {
      return new DisplayData("null");
    }
    if (value instanceof DisplayData data) {
      return data;
    }
    if (value instanceof Renderable renderable) {
      return renderable.toDisplayData();
    }
    if (value instanceof Table table) {
      return table(table);
    }
    if (value instanceof Chart<?, ?> chart) {
      return chart(chart);
    }
    return FALLBACK.render(value);
  }

  static DisplayData table(Table table) {
    String shape = String.format("%,d rows × %,d columns", table.rowCount(), table.columnCount());
    Table head = table.first(TABLE_ROWS);
    DisplayData data = new DisplayData(head.printAll() + "\n" + shape);
    StringBuilder html = new StringBuilder("<div class=\"dcr-table\"><table class=\"dataframe\">\n<thead><tr>");
    for (String name : table.columnNames()) {
      html.append("<th>").append(Html.escape(name)).append("</th>");
    }
    html.append("</tr></thead>\n<tbody>\n");
    for (int row = 0; row < head.rowCount(); row++) {
      html.append("<tr>");
      for (int column = 0; column < head.columnCount(); column++) {
        html.append("<td>").append(Html.escape(head.getString(row, column))).append("</td>");
      }
      html.append("</tr>\n");
    }
    html.append("</tbody></table>\n<p>").append(Html.escape(table.name() == null ? "" : table.name() + ": "))
        .append(shape).append("</p></div>");
    data.putHTML(html.toString());
    return data;
  }

  static DisplayData chart(Chart<?, ?> chart) {
    String title = chart.getTitle() == null || chart.getTitle().isEmpty() ? "" : " '" + chart.getTitle() + "'";
    DisplayData data = new DisplayData(chart.getClass().getSimpleName() + title
        + " (" + chart.getWidth() + "×" + chart.getHeight() + ")");
    try {
      byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
      data.putData("image/png", Base64.getEncoder().encodeToString(png));
      if (points(chart) <= SVG_MAX_POINTS) {
        ByteArrayOutputStream svg = new ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        data.putSVG(svg.toString(java.nio.charset.StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new IllegalStateException("Tried to draw the chart" + title + " but failed because: " + e.getMessage(), e);
    }
    return data;
  }

  private static long points(Chart<?, ?> chart) {
    long points = 0;
    for (Object series : chart.getSeriesMap().values()) {
      points += series instanceof Series ? 1 : 0;
      if (series instanceof org.knowm.xchart.XYSeries xy) {
        points += xy.getXData().length;
      } else if (series instanceof org.knowm.xchart.CategorySeries category) {
        points += category.getXData().size();
      } else if (series instanceof org.knowm.xchart.HeatMapSeries heat) {
        points += heat.getHeatData().size();
      }
    }
    return points;
  }
}
