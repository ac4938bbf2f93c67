package dev.cleanroom.kernel.sdk;

import dev.cleanroom.dp.client.DatasetInfo;
import dev.cleanroom.dp.client.DpClientException;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.policy.SourceFormat;
import dev.cleanroom.dp.table.CsvFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * One dataset as a notebook sees it. {@link #table()} gives rows (stage 1: the synthetic view if the
 * provider turned it on, else the mock view; stage 2: the real rows); {@link #synthetic()} gives the
 * synthetic view in both stages, so a notebook can compare its results on synthetic and real rows;
 * {@link #dp()} asks DP queries.
 */
public final class Dataset {
  private final CleanRoom cleanRoom;
  private final String name;
  private final Optional<DatasetInfo> info;

  Dataset(CleanRoom cleanRoom, String name, Optional<DatasetInfo> info) {
    this.cleanRoom = cleanRoom;
    this.name = name;
    this.info = info;
  }

  public String name() {
    return name;
  }

  /** Stage 1: the dataset's public schema and policy as the DP query service describes it. */
  public Optional<DatasetInfo> info() {
    return info;
  }

  /**
   * Which rows {@link #table()} returns: {@code synthetic} or {@code mock} in stage 1, {@code real}
   * in stage 2; {@code none} when the provider allows only DP queries.
   */
  public String view() {
    if (cleanRoom.stage() == Stage.EXECUTION) {
      return "real";
    }
    List<String> views = info.orElseThrow().views();
    return views.contains("synthetic") ? "synthetic" : views.contains("mock") ? "mock" : "none";
  }

  /**
   * The rows this stage may see, as a tablesaw table with the declared columns and types, the same in both
   * stages; a missing value is tablesaw's missing value (see {@link TypedTable}).
   */
  public Table table() {
    if (cleanRoom.stage() == Stage.EXECUTION) {
      return readInput(cleanRoom.inputDir().resolve(name).resolve(CleanRoom.REAL_ROWS), name, true);
    }
    DatasetInfo described = info.orElseThrow();
    String view = view();
    if (view.equals("none")) {
      throw new SdkException("no_row_view", "Dataset '" + name + "' shows no rows in stage 1: its provider turned on "
          + String.join(", ", described.views()) + ". Ask DP questions with dataset(\"" + name + "\").dp() instead.");
    }
    String csv;
    try {
      csv = cleanRoom.client().view(name, view);
    } catch (DpClientException e) {
      if (view.equals("synthetic") && described.views().contains("mock")) {
        view = "mock";
        csv = CleanRoom.call(() -> cleanRoom.client().view(name, "mock"));
      } else {
        throw new SdkException(e.code(), e.getMessage(), e);
      }
    }
    return readView(view, csv, described);
  }

  /**
   * The DP synthetic rows the provider made for stage 1, in either stage: in stage 1 from the DP query
   * service (what {@link #table()} shows when the synthetic view is on), in stage 2 from the job's
   * inputs ({@code <dataset>/synthetic.csv}, which the job gets when the provider's policy offers the
   * synthetic view). Fitting the same model on these rows and on {@link #table()}'s real rows in stage 2
   * shows how far results from stage 1 carry over to the real data.
   *
   * @throws SdkException {@code no_synthetic_view} when the provider offers no synthetic view
   */
  public Table synthetic() {
    String table = name + " (synthetic)";
    if (cleanRoom.stage() == Stage.EXECUTION) {
      Path csv = cleanRoom.inputDir().resolve(name).resolve(CleanRoom.SYNTHETIC_ROWS);
      if (!Files.isRegularFile(csv)) {
        throw new SdkException("no_synthetic_view", "Dataset '" + name + "' has no synthetic view in this job's inputs:"
            + " its provider's policy offers none. Use table() for the real rows.");
      }
      return readInput(csv, table, false);
    }
    DatasetInfo described = info.orElseThrow();
    if (!described.views().contains("synthetic")) {
      throw new SdkException("no_synthetic_view", "Dataset '" + name + "' has no synthetic view: its provider turned on "
          + String.join(", ", described.views()) + ". Use table() for the rows this stage shows, or dp() for DP answers.");
    }
    return readView("synthetic", CleanRoom.call(() -> cleanRoom.client().view(name, "synthetic")), described);
  }

  /** DP queries on this dataset; each answer is shown with its cost and the budget left. */
  public DpQueries dp() {
    return new DpQueries(cleanRoom, this);
  }

  /**
   * Stage 2: a CSV of the job's inputs, read as the DP query service reads it (the policy's separator, encoding
   * and, for the real rows, missing markers) and typed by the policy beside it, without the columns it excludes
   * or does not declare. Without a policy, tablesaw guesses the types.
   */
  private Table readInput(Path csv, String tableName, boolean realRows) {
    Optional<DatasetPolicy> policy = cleanRoom.stage2Policy(name);
    try {
      if (policy.isEmpty()) {
        return Table.read().usingOptions(CsvReadOptions.builder(csv.toFile()).tableName(tableName));
      }
      SourceFormat source = policy.get().source();
      CsvFile rows = realRows ? CsvFile.read(csv, source) : CsvFile.read(csv);
      return TypedTable.of(tableName, rows, policy.get().columns(),
          realRows ? source::isMissing : Dataset::isViewMissing);
    } catch (IOException e) {
      throw new SdkException("input_unreadable", "Tried to read " + csv + " but failed because: " + e.getMessage(), e);
    }
  }

  /** Stage 1: a row view as the DP query service sent it, typed by the dataset's declared columns. */
  private Table readView(String view, String csv, DatasetInfo described) {
    try {
      return TypedTable.of(name + " (" + view + ")", CsvFile.parse(csv, ','), described.columns(),
          Dataset::isViewMissing);
    } catch (IOException e) {
      throw new SdkException("invalid_view", "The " + view + " view of '" + name + "' is not valid CSV: " + e.getMessage(), e);
    }
  }

  /** The mock and synthetic views write a missing value as an empty cell. */
  private static boolean isViewMissing(String cell) {
    return cell.equals(CsvFile.MISSING_CELL);
  }

  @Override
  public String toString() {
    return "Dataset '" + name + "' (" + cleanRoom.stage().id() + ")";
  }
}
