package dev.cleanroom.kernel.sdk;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.engine.ChargedAnswer;
import dev.cleanroom.dp.mechanisms.DpAnswer;
import dev.cleanroom.dp.mechanisms.DpQuery;
import dev.cleanroom.dp.mechanisms.Mechanisms;
import dev.cleanroom.dp.mechanisms.PreparedQuery;
import dev.cleanroom.dp.policy.DatasetPolicy;
import dev.cleanroom.dp.table.PrivateTable;
import dev.cleanroom.kernel.display.Displays;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * DP queries on one dataset. Stage 1 asks the DP query service, which charges the scientist's budget
 * before answering; stage 2 runs the same mechanisms on the real rows inside the TEE (no budget: the
 * outputs are reviewed before release). Every answer is shown with what it cost and, in stage 1, the
 * budget left.
 *
 * <p>{@code delta = 0} (the short forms) asks for pure ε-DP with Laplace noise; {@code delta > 0}
 * for Gaussian noise.
 */
public final class DpQueries {
  private final CleanRoom cleanRoom;
  private final Dataset dataset;

  DpQueries(CleanRoom cleanRoom, Dataset dataset) {
    this.cleanRoom = cleanRoom;
    this.dataset = dataset;
  }

  /** Number of rows. */
  public long count(double epsilon) {
    return ask(DpQuery.count(epsilon)).answer().value();
  }

  /** Sum of a numeric column, each value clamped to its declared bounds. */
  public double sum(String column, double epsilon) {
    return ask(DpQuery.sum(column, epsilon)).answer().value();
  }

  public double sum(String column, double epsilon, double delta) {
    return ask(new DpQuery.Sum(column, epsilon, delta)).answer().value();
  }

  /** Mean of a numeric column. */
  public double mean(String column, double epsilon) {
    return ask(DpQuery.mean(column, epsilon)).answer().value();
  }

  public double mean(String column, double epsilon, double delta) {
    return ask(new DpQuery.Mean(column, epsilon, delta)).answer().value();
  }

  /** Count per declared category of a categorical column. */
  public Map<String, Long> histogram(String column, double epsilon) {
    return ask(DpQuery.histogram(column, epsilon)).answer().value();
  }

  /** The {@code alpha}-quantile of a numeric column (0.5 is the median). */
  public double quantile(String column, double alpha, double epsilon) {
    return ask(new DpQuery.Quantile(column, alpha, epsilon)).answer().value();
  }

  public double median(String column, double epsilon) {
    return quantile(column, 0.5, epsilon);
  }

  /**
   * Any DP query, with the whole answer: the noisy value, its cost and noise scale, and (stage 1) the
   * budget left. The answer is shown in the cell like the short forms.
   */
  public <T> DpReceipt<T> ask(DpQuery<T> query) {
    DpReceipt<T> receipt;
    if (cleanRoom.stage() == Stage.EXPLORATION) {
      ChargedAnswer<T> charged = CleanRoom.call(() -> cleanRoom.client().query(dataset.name(), query));
      receipt = new DpReceipt<>(dataset.name(), query.describe(), charged.answer(), Optional.of(charged.remaining()));
    } else {
      receipt = new DpReceipt<>(dataset.name(), query.describe(), releaseLocally(query), Optional.<PrivacyCost>empty());
    }
    Displays.show(receipt);
    return receipt;
  }

  private <T> DpAnswer<T> releaseLocally(DpQuery<T> query) {
    DatasetPolicy policy = cleanRoom.stage2Policy(dataset.name()).orElseThrow(() -> new SdkException("no_policy",
        "dp() in stage 2 needs the dataset's policy.yaml beside real.csv in DCR_INPUT_DIR/" + dataset.name()
            + "; the TEE launcher puts it there"));
    try {
      PrivateTable table = PrivateTable.load(cleanRoom.inputDir().resolve(dataset.name()).resolve(CleanRoom.REAL_ROWS), policy);
      try (PreparedQuery<T> prepared = new Mechanisms(table).prepare(query)) {
        return prepared.release();
      }
    } catch (IOException e) {
      throw new SdkException("input_unreadable", "Tried to read the rows of '" + dataset.name()
          + "' but failed because: " + e.getMessage(), e);
    }
  }
}
