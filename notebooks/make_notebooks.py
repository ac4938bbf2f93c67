"""Writes the tutorial notebooks from the cell sources below, so their JSON stays reviewable as code.

Run: python3 notebooks/make_notebooks.py   (from the repository root or this folder)
"""
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
METADATA = {
    "kernelspec": {"name": "dcr-java", "display_name": "Java (clean room)", "language": "java"},
    "language_info": {"name": "Java", "file_extension": ".jshell", "mimetype": "text/x-java-source"},
}


def cell(kind, source):
    source = source.strip("\n")
    lines = [line + "\n" for line in source.split("\n")]
    lines[-1] = lines[-1].rstrip("\n")
    base = {"cell_type": kind, "metadata": {}, "source": lines}
    if kind == "code":
        base.update({"execution_count": None, "outputs": []})
    return base


def notebook(name, cells):
    document = {"nbformat": 4, "nbformat_minor": 5, "metadata": METADATA,
                "cells": [dict(c, id=f"{name}-{i}") for i, c in enumerate(cells)]}
    (HERE / f"{name}.ipynb").write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")


md = lambda s: cell("markdown", s)
code = lambda s: cell("code", s)

notebook("insurance-explore", [
    md("""
# Exploring the insurance data without seeing it

A provider has shared medical insurance charges (age, sex, BMI, children, smoking, region, charges) in
the clean room. We never see the real rows. In this **programming stage** we have two ways in:

- the **synthetic view**: rows made by a differentially private (DP) synthesizer. Their shape is
  right and their statistics are close, but no row is a real person. We may look at them freely.
- **DP queries** on the real data, answered by the DP query service. Each answer is noisy on
  purpose and costs some of our privacy budget (ε), so we spend it on the few numbers that matter.
"""),
    code("""
%datasets
"""),
    md("""
## The schema and the synthetic rows
`table()` gives the rows this stage may see: here the synthetic view.
"""),
    code("""
var ins = Dcr.dataset("insurance");
Table t = ins.table();
System.out.println("stage " + Dcr.stage() + ", view: " + ins.view());
t.structure()
"""),
    code("""
t.first(5)
"""),
    md("""
## Checking the synthetic data against DP answers
A synthetic mean is free to compute; a DP mean of the real data costs ε. Comparing a few of them tells
us how far to trust the synthetic view. Each answer shows its cost and the budget left.
"""),
    code("""
long rows = ins.dp().count(0.1);
double meanCharges = ins.dp().mean("charges", 0.2);
System.out.println(String.format("synthetic: %d rows, mean charges %.0f", t.rowCount(), t.numberColumn("charges").mean()));
"""),
    code("""
Map<String, Long> smokers = ins.dp().histogram("smoker", 0.1);
smokers
"""),
    md("""
## One question per group, for the price of one
`by(column)` asks the same DP question of every declared category of a column. A person lives in one
region only, so adding or removing one person changes one region's answer: the whole group-by costs what
one region costs (here ε 0.5), not four times that. `where(column, category)` keeps the rows of one
declared category; such a filter does not change the cost either. Here: mean charges of non-smokers,
region by region.
"""),
    code("""
Map<String, Double> nonSmokersByRegion = ins.dp().where("smoker", "no").by("region").mean("charges", 0.5);
"""),
    md("""
## Distributions and relationships, on synthetic rows
"""),
    code("""
Charts.histogram(t, "charges")
"""),
    code("""
Charts.scatter(t, "bmi", "charges")
"""),
    code("""
Charts.heatmap(t, "region", "smoker")
"""),
    md("""
Correlations between the numeric columns (computed on synthetic rows, so free):
"""),
    code("""
String[] numeric = {"age", "bmi", "children", "charges"};
Table correlations = Table.create("correlation");
correlations.addColumns(StringColumn.create("column", numeric));
for (String b : numeric) {
  double[] values = new double[numeric.length];
  for (int i = 0; i < numeric.length; i++) {
    values[i] = new org.apache.commons.math3.stat.correlation.PearsonsCorrelation()
        .correlation(t.numberColumn(numeric[i]).asDoubleArray(), t.numberColumn(b).asDoubleArray());
  }
  correlations.addColumns(DoubleColumn.create(b, values));
}
correlations
"""),
    code("""
%budget
"""),
])

notebook("insurance-regression", [
    md("""
# Predicting insurance charges — one notebook, two stages

We fit a model of **charges** on **age**, **BMI** and **smoking** (with a smoker × BMI term: BMI matters
far more for smokers). The same notebook runs twice, with no edit:

1. **Programming stage** (now, in JupyterLab): we see only the provider's DP synthetic rows,
   `ins.synthetic()`. We write and debug the code and get a first RMSE, on synthetic data.
2. **Execution stage** (after the provider approves the submitted notebook): it runs inside a trusted
   execution environment, where `ins.table()` gives the **real** rows and `ins.synthetic()` still gives
   the same synthetic rows (a DP release we could already see). The job fits the models on both, and
   also scores the models trained on synthetic rows against the real data: the outputs show how far our
   stage-1 results carry over. They come back with an attestation report, after the provider releases them.

`Dcr.stage()` tells which stage we are in; nothing in the notebook chooses it.
"""),
    code("""
var ins = Dcr.dataset("insurance");
Table synthetic = ins.synthetic();
System.out.println("stage " + Dcr.stage() + ": " + synthetic.rowCount() + " synthetic rows");
"""),
    md("""
## Features
Every step below is a function of a `Table`, so the same code runs on the synthetic rows and, in the
execution stage, on the real ones. `smoker` becomes 0/1, and `smoker_bmi` is their product. A fixed split
(every fifth row held out) keeps the evaluation honest and the run reproducible.
"""),
    code("""
record Rows(double[][] features, double[] charges) {}
String[] names = {"intercept", "age", "bmi", "smoker", "smoker_bmi"};
IntPredicate heldOut = i -> i % 5 == 0;

Rows rows(Table t) {
  int n = t.rowCount();
  double[][] features = new double[n][];
  double[] charges = new double[n];
  for (int i = 0; i < n; i++) {
    double smoker = t.stringColumn("smoker").get(i).equals("yes") ? 1 : 0;
    double bmi = t.numberColumn("bmi").getDouble(i);
    features[i] = new double[] {1, t.numberColumn("age").getDouble(i), bmi, smoker, smoker * bmi};
    charges[i] = t.numberColumn("charges").getDouble(i);
  }
  return new Rows(features, charges);
}

Rows syntheticRows = rows(synthetic);
int n = syntheticRows.charges().length;
System.out.println(IntStream.range(0, n).filter(heldOut.negate()).count() + " rows to train, "
    + IntStream.range(0, n).filter(heldOut).count() + " to test");
"""),
    md("""
## Linear regression (ordinary least squares)
Solved exactly from the normal equations XᵀX β = Xᵀy: five unknowns, no tuning.
"""),
    code("""
double[] fitLeastSquares(double[][] x, double[] y, IntPredicate use) {
  int k = x[0].length;
  double[][] a = new double[k][k + 1];
  for (int i = 0; i < x.length; i++) {
    if (!use.test(i)) continue;
    for (int r = 0; r < k; r++) {
      for (int c = 0; c < k; c++) a[r][c] += x[i][r] * x[i][c];
      a[r][k] += x[i][r] * y[i];
    }
  }
  for (int p = 0; p < k; p++) {              // Gauss-Jordan elimination with partial pivoting
    int best = p;
    for (int r = p + 1; r < k; r++) if (Math.abs(a[r][p]) > Math.abs(a[best][p])) best = r;
    double[] swap = a[p]; a[p] = a[best]; a[best] = swap;
    for (int r = 0; r < k; r++) {
      if (r == p) continue;
      double f = a[r][p] / a[p][p];
      for (int c = p; c <= k; c++) a[r][c] -= f * a[p][c];
    }
  }
  double[] beta = new double[k];
  for (int r = 0; r < k; r++) beta[r] = a[r][k] / a[r][r];
  return beta;
}
double[] fitLinear(Rows rows) {
  return fitLeastSquares(rows.features(), rows.charges(), heldOut.negate());
}
double predictLinear(double[] beta, double[] x) {
  double y = 0;
  for (int j = 0; j < beta.length; j++) y += beta[j] * x[j];
  return y;
}

double[] beta = fitLinear(syntheticRows);
for (int j = 0; j < names.length; j++) System.out.println(String.format("%-11s %10.1f", names[j], beta[j]));
"""),
    md("""
The test RMSE: the root mean squared error of a model's predictions on the held-out rows of a table.
"""),
    code("""
double testRmse(Rows rows, IntToDoubleFunction predict) {
  double sum = 0; int count = 0;
  for (int i = 0; i < rows.charges().length; i++) {
    if (!heldOut.test(i)) continue;
    double error = predict.applyAsDouble(i) - rows.charges()[i];
    sum += error * error; count++;
  }
  return Math.sqrt(sum / count);
}
System.out.println(String.format("linear model, test RMSE on synthetic rows: %,.0f",
    testRmse(syntheticRows, i -> predictLinear(beta, syntheticRows.features()[i]))));
"""),
    md("""
## Gradient-boosted trees (XGBoost through Tribuo)
Trees find the interactions themselves; we give them the raw features.
"""),
    code("""
import org.tribuo.Example;          // named one by one: org.tribuo.* has its own Dataset class
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.xgboost.XGBoostRegressionTrainer;

String[] treeFeatures = {"age", "bmi", "smoker"};
Example<Regressor> example(Rows rows, int i) {
  double[] x = rows.features()[i];
  return new ArrayExample<>(new Regressor("charges", rows.charges()[i]), treeFeatures, new double[] {x[1], x[2], x[3]});
}
Model<Regressor> fitTrees(Rows rows) {
  var factory = new RegressionFactory();
  var training = new MutableDataset<Regressor>(new SimpleDataSourceProvenance("insurance", factory), factory);
  for (int i = 0; i < rows.charges().length; i++) if (!heldOut.test(i)) training.add(example(rows, i));
  return new XGBoostRegressionTrainer(50).train(training);
}

Model<Regressor> trees = fitTrees(syntheticRows);
System.out.println(String.format("gradient-boosted trees, test RMSE on synthetic rows: %,.0f",
    testRmse(syntheticRows, i -> trees.predict(example(syntheticRows, i)).getOutput().getValues()[0])));
"""),
    md("""
## Both models as one step
`fit` trains both models on a table's training rows; `score` gives their test RMSEs on a table's held-out
rows, which need not be the table they were trained on.
"""),
    code("""
record Fit(double[] beta, Model<Regressor> trees) {}
record Scores(int rows, double rmseLinear, double rmseTrees) {
  String json() {
    return String.format(Locale.ROOT, "{\\"rows\\": %d, \\"rmse_linear\\": %.1f, \\"rmse_trees\\": %.1f}", rows, rmseLinear, rmseTrees);
  }
}
Fit fit(Rows rows) {
  return new Fit(fitLinear(rows), fitTrees(rows));
}
Scores score(Fit fit, Rows rows) {
  return new Scores(rows.charges().length, testRmse(rows, i -> predictLinear(fit.beta(), rows.features()[i])),
      testRmse(rows, i -> fit.trees().predict(example(rows, i)).getOutput().getValues()[0]));
}

Fit syntheticFit = new Fit(beta, trees);
Map<String, Scores> results = new LinkedHashMap<>(Map.of("synthetic", score(syntheticFit, syntheticRows)));
"""),
    md("""
## Synthetic against real
In the execution stage the job also reads the real rows and reports three sets of scores:

- `synthetic`: the models fitted and scored on the synthetic rows, the numbers we saw in stage 1;
- `real`: the same code fitted and scored on the real rows, how well this model does on the data itself;
- `synthetic_model_on_real`: the models fitted on the synthetic rows, scored on the real held-out rows:
  whether what we built in stage 1 works on the real data.

When `synthetic_model_on_real` is close to `real`, the synthetic rows were a faithful stand-in and the
stage-1 conclusions hold. When it is far above, the synthetic rows missed structure the model needs (a DP
synthesizer keeps only some of the data's relationships, with noise), and only the stage-2 numbers count.
When `synthetic` differs much from `real`, the stage-1 RMSE was not a good estimate of the real error.
In the programming stage the real rows are not there, so only `synthetic` is computed.
"""),
    code("""
Fit current = syntheticFit;
if (Dcr.stage() == Stage.EXECUTION) {
  Rows realRows = rows(ins.table());
  Fit realFit = fit(realRows);
  results.put("real", score(realFit, realRows));
  results.put("synthetic_model_on_real", score(syntheticFit, realRows));
  current = realFit;
}
results.forEach((name, s) -> System.out.println(String.format("%-24s %5d rows   test RMSE: linear %,6.0f, trees %,6.0f",
    name, s.rows(), s.rmseLinear(), s.rmseTrees())));
"""),
    md("""
## Outputs
What the job returns: `metrics.json`, the scores above (`rows` is the size of the table scored on; every
fifth of its rows is held out), and `linear-model.txt`, the linear model fitted on this stage's rows
(synthetic in the programming stage, real in the execution stage). In the execution stage these files
leave the TEE only after the provider releases them, with a report that binds them to this notebook and
the image that ran it.
"""),
    code("""
StringJoiner metrics = new StringJoiner(",\\n  ", "{\\n  ", "\\n}\\n");
metrics.add("\\"stage\\": \\"" + Dcr.stage() + "\\"");
results.forEach((name, s) -> metrics.add("\\"" + name + "\\": " + s.json()));
Dcr.output("metrics.json").write(metrics.toString());
StringBuilder model = new StringBuilder("charges = ");
for (int j = 0; j < names.length; j++) {
  model.append(String.format(Locale.ROOT, "%s%.3f * %s", j == 0 ? "" : " + ", current.beta()[j], names[j]));
}
Dcr.output("linear-model.txt").write(model + "\\n");
System.out.print(metrics);
"""),
])
