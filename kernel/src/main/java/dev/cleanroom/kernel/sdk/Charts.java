package dev.cleanroom.kernel.sdk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.Histogram;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Common charts from a table in one call. Each returns an XChart chart, which a cell shows as an
 * image (and which can be styled further before it is shown).
 */
public final class Charts {
  private static final int WIDTH = 640;
  private static final int HEIGHT = 400;

  private Charts() {}

  /** Histogram of a numeric column in {@code bins} equal-width bins. */
  public static CategoryChart histogram(Table table, String column, int bins) {
    List<Double> values = numbers(table, column);
    if (values.isEmpty()) {
      throw new SdkException("empty_column", "Column '" + column + "' has no values to draw");
    }
    Histogram histogram = new Histogram(values, bins);
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title(column).xAxisTitle(column).yAxisTitle("rows").build();
    chart.getStyler().setAvailableSpaceFill(0.99).setOverlapped(true);
    chart.getStyler().setXAxisDecimalPattern("#,##0");
    chart.getStyler().setXAxisLabelRotation(45);
    chart.getStyler().setLegendVisible(false);
    chart.addSeries(column, histogram.getxAxisData(), histogram.getyAxisData());
    return chart;
  }

  public static CategoryChart histogram(Table table, String column) {
    return histogram(table, column, 20);
  }

  /** Bars of values by label, such as a DP histogram's counts. */
  public static CategoryChart bar(Map<String, ? extends Number> values, String title) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).build();
    chart.getStyler().setLegendVisible(false);
    chart.addSeries(title, new ArrayList<>(values.keySet()), new ArrayList<Number>(values.values()));
    return chart;
  }

  /** Mean of a numeric column per category of another column. */
  public static CategoryChart bar(Table table, String category, String value) {
    Map<String, double[]> sums = new LinkedHashMap<>();
    Column<?> categories = table.column(category);
    NumericColumn<?> numbers = table.numberColumn(value);
    for (int row = 0; row < table.rowCount(); row++) {
      if (numbers.isMissing(row)) {
        continue;
      }
      double[] sum = sums.computeIfAbsent(categories.getString(row), k -> new double[2]);
      sum[0] += numbers.getDouble(row);
      sum[1]++;
    }
    Map<String, Double> means = new LinkedHashMap<>();
    new TreeSet<>(sums.keySet()).forEach(k -> means.put(k, sums.get(k)[0] / sums.get(k)[1]));
    CategoryChart chart = bar(means, "mean " + value + " by " + category);
    chart.setXAxisTitle(category);
    chart.setYAxisTitle("mean " + value);
    return chart;
  }

  /** One point per row. */
  public static XYChart scatter(Table table, String x, String y) {
    XYChart chart = xy(table, x, y, y + " by " + x);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setMarkerSize(4);
    return chart;
  }

  /** A line through the rows in order of {@code x}. */
  public static XYChart line(Table table, String x, String y) {
    Table sorted = table.sortAscendingOn(x);
    XYChart chart = xy(sorted, x, y, y + " over " + x);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    chart.getStyler().setMarkerSize(0);
    return chart;
  }

  /** Row counts for each pair of values of two columns (categorical or whole-number columns). */
  public static HeatMapChart heatmap(Table table, String x, String y) {
    List<String> xs = new ArrayList<>(new TreeSet<>(strings(table, x)));
    List<String> ys = new ArrayList<>(new TreeSet<>(strings(table, y)));
    int[][] counts = new int[xs.size()][ys.size()];
    Column<?> xColumn = table.column(x);
    Column<?> yColumn = table.column(y);
    for (int row = 0; row < table.rowCount(); row++) {
      counts[xs.indexOf(xColumn.getString(row))][ys.indexOf(yColumn.getString(row))]++;
    }
    List<Number[]> cells = new ArrayList<>();
    for (int i = 0; i < xs.size(); i++) {
      for (int j = 0; j < ys.size(); j++) {
        cells.add(new Number[] {i, j, counts[i][j]});
      }
    }
    HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT).title("rows by " + x + " and " + y)
        .xAxisTitle(x).yAxisTitle(y).build();
    chart.getStyler().setShowValue(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.addSeries("rows", xs, ys, cells);
    return chart;
  }

  private static XYChart xy(Table table, String x, String y, String title) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
    chart.getStyler().setLegendVisible(false);
    chart.addSeries(title, numbers(table, x), numbers(table, y));
    return chart;
  }

  private static List<Double> numbers(Table table, String column) {
    NumericColumn<?> numbers = table.numberColumn(column);
    List<Double> values = new ArrayList<>(table.rowCount());
    for (int row = 0; row < table.rowCount(); row++) {
      values.add(numbers.isMissing(row) ? Double.NaN : numbers.getDouble(row));
    }
    return values;
  }

  private static List<String> strings(Table table, String column) {
    Column<?> values = table.column(column);
    List<String> out = new ArrayList<>(table.rowCount());
    for (int row = 0; row < table.rowCount(); row++) {
      out.add(values.getString(row));
    }
    return out;
  }
}
