package dev.cleanroom.dp.synth;

import dev.cleanroom.dp.table.CsvFile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The utility gate's two measures of synthetic insurance rows against the real ones (issue 4):
 * the mean total variation distance over all two-way marginals on the gate's bins, and the RMSE on the
 * real rows of a linear regression of charges on age, bmi, smoker and smoker × bmi fitted to the
 * synthetic rows by ordinary least squares. Public for the benchmark (bench/synth), which scores our
 * synthesizer, its peer and the anchor with this same code.
 */
public final class InsuranceUtility {
  private InsuranceUtility() {}

  /** The gate's bins: age / 5 up to 12, bmi / 5 up to 10, charges / 5000 up to 12, others as they are. */
  private static final Map<String, Function<String, String>> GATE_BINS = Map.of(
      "age", value -> Long.toString(Math.min(12, (long) Math.floor(Double.parseDouble(value) / 5))),
      "bmi", value -> Long.toString(Math.min(10, (long) Math.floor(Double.parseDouble(value) / 5))),
      "charges", value -> Long.toString(Math.min(12, (long) Math.floor(Double.parseDouble(value) / 5000))));

  /** Mean over every pair of columns of the total variation distance between the two marginals. */
  public static double meanPairwiseTvd(CsvFile real, CsvFile synthetic) {
    List<String> columns = real.header();
    double sum = 0;
    int pairs = 0;
    for (int a = 0; a < columns.size(); a++) {
      for (int b = a + 1; b < columns.size(); b++) {
        Map<String, Double> p = pairShares(real, columns.get(a), columns.get(b));
        Map<String, Double> q = pairShares(synthetic, columns.get(a), columns.get(b));
        Map<String, Double> difference = new HashMap<>(p);
        q.forEach((cell, share) -> difference.merge(cell, -share, Double::sum));
        sum += difference.values().stream().mapToDouble(Math::abs).sum() / 2;
        pairs++;
      }
    }
    return sum / pairs;
  }

  private static Map<String, Double> pairShares(CsvFile table, String first, String second) {
    int i = table.header().indexOf(first);
    int j = table.header().indexOf(second);
    Function<String, String> binFirst = GATE_BINS.getOrDefault(first, Function.identity());
    Function<String, String> binSecond = GATE_BINS.getOrDefault(second, Function.identity());
    Map<String, Double> shares = new HashMap<>();
    for (List<String> row : table.rows()) {
      String cell = binFirst.apply(row.get(i).strip()) + "\u0000" + binSecond.apply(row.get(j).strip());
      shares.merge(cell, 1.0 / table.rows().size(), Double::sum);
    }
    return shares;
  }

  /** RMSE on {@code test} of charges ~ 1 + age + bmi + smoker + smoker × bmi fitted on {@code train}. */
  public static double regressionRmse(CsvFile train, CsvFile test) {
    double[] coefficients = ordinaryLeastSquares(features(train), column(train, "charges"));
    double[][] x = features(test);
    double[] y = column(test, "charges");
    double squares = 0;
    for (int r = 0; r < y.length; r++) {
      double error = y[r] - dot(coefficients, x[r]);
      squares += error * error;
    }
    return Math.sqrt(squares / y.length);
  }

  private static double[][] features(CsvFile table) {
    double[] age = column(table, "age");
    double[] bmi = column(table, "bmi");
    int smokerIndex = table.header().indexOf("smoker");
    double[][] x = new double[age.length][];
    for (int r = 0; r < age.length; r++) {
      double smoker = table.rows().get(r).get(smokerIndex).strip().equals("yes") ? 1 : 0;
      x[r] = new double[] {1, age[r], bmi[r], smoker, smoker * bmi[r]};
    }
    return x;
  }

  private static double[] column(CsvFile table, String name) {
    int index = table.header().indexOf(name);
    return table.rows().stream().mapToDouble(row -> Double.parseDouble(row.get(index).strip())).toArray();
  }

  /** Solves the normal equations XᵀX β = Xᵀy by Gaussian elimination with partial pivoting. */
  static double[] ordinaryLeastSquares(double[][] x, double[] y) {
    int k = x[0].length;
    double[][] system = new double[k][k + 1];
    for (int r = 0; r < y.length; r++) {
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++) {
          system[i][j] += x[r][i] * x[r][j];
        }
        system[i][k] += x[r][i] * y[r];
      }
    }
    for (int pivot = 0; pivot < k; pivot++) {
      int best = pivot;
      for (int i = pivot + 1; i < k; i++) {
        if (Math.abs(system[i][pivot]) > Math.abs(system[best][pivot])) {
          best = i;
        }
      }
      double[] swap = system[pivot];
      system[pivot] = system[best];
      system[best] = swap;
      if (Math.abs(system[pivot][pivot]) < 1e-12) {
        throw new ArithmeticException("the regressors are collinear in the training rows (no smokers?)");
      }
      for (int i = pivot + 1; i < k; i++) {
        double factor = system[i][pivot] / system[pivot][pivot];
        for (int j = pivot; j <= k; j++) {
          system[i][j] -= factor * system[pivot][j];
        }
      }
    }
    double[] beta = new double[k];
    for (int i = k - 1; i >= 0; i--) {
      double sum = system[i][k];
      for (int j = i + 1; j < k; j++) {
        sum -= system[i][j] * beta[j];
      }
      beta[i] = sum / system[i][i];
    }
    return beta;
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }
}
