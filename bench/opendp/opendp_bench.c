/*
 * The C floor of the OpenDP benchmark: the same OpenDP C calls our JNI binding makes, from plain C
 * linked against the same static archive, with no host-language layer in between.
 *
 * usage: opendp_bench <records> <loop records> <loop queries> <repeats> <warm-up queries>
 * Prints one JSON object (the shape every harness of this benchmark prints) on stdout.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opendp_ffi.h"

#define CATEGORY_COUNT 10
static const char *const CATEGORIES[CATEGORY_COUNT] = {"category-0", "category-1", "category-2", "category-3",
                                                       "category-4", "category-5", "category-6", "category-7",
                                                       "category-8", "category-9"};
static const char *const OTHER = "other";
static const double LOWER = 0, UPPER = 100, MEAN_SCALE = 1e-3, HISTOGRAM_SCALE = 1.0;

static void *ok(FfiResult result) {
  if (result.tag != FFI_OK) {
    fprintf(stderr, "OpenDP failed: %s: %s\n", result.err->variant, result.err->message ? result.err->message : "");
    exit(1);
  }
  return result.ok;
}

static AnyObject *object(const void *ptr, uintptr_t len, const char *type) {
  FfiSlice slice = {ptr, len};
  return ok(opendp_data__slice_as_object(&slice, type));
}

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

/* transformation >> then_laplace(scale), as Python's >> builds it. */
static AnyMeasurement *then_laplace(AnyTransformation *transformation, double scale) {
  AnyDomain *domain = ok(opendp_core__transformation_output_domain(transformation));
  AnyMetric *metric = ok(opendp_core__transformation_output_metric(transformation));
  AnyMeasurement *laplace = ok(opendp_measurements__make_laplace(domain, metric, scale, NULL, "MaxDivergence"));
  AnyMeasurement *measurement = ok(opendp_combinators__make_chain_mt(laplace, transformation));
  opendp_core___measurement_free(laplace);
  opendp_metrics___metric_free(metric);
  opendp_domains___domain_free(domain);
  return measurement;
}

/* clamp(0, 100) >> mean >> laplace on a vector of exactly n values: one query, construction included. */
static double dp_mean(const double *values, int n) {
  bool nan = false;
  double lower = LOWER, upper = UPPER;
  const void *bounds_pair[2] = {&lower, &upper};
  AnyObject *nan_flag = object(&nan, 1, "bool");
  AnyObject *size = object(&n, 1, "i32");
  AnyObject *bounds = object(bounds_pair, 2, "(f64, f64)");
  AnyDomain *atom = ok(opendp_domains__atom_domain(NULL, nan_flag, "f64"));
  AnyDomain *vector = ok(opendp_domains__vector_domain(atom, size));
  AnyMetric *symmetric = ok(opendp_metrics__symmetric_distance());
  AnyTransformation *clamp = ok(opendp_transformations__make_clamp(vector, symmetric, bounds));
  AnyDomain *clamped = ok(opendp_core__transformation_output_domain(clamp));
  AnyMetric *clamped_metric = ok(opendp_core__transformation_output_metric(clamp));
  AnyTransformation *mean = ok(opendp_transformations__make_mean(clamped, clamped_metric));
  AnyTransformation *clamp_mean = ok(opendp_combinators__make_chain_tt(mean, clamp));
  AnyMeasurement *measurement = then_laplace(clamp_mean, MEAN_SCALE);

  AnyObject *data = object(values, (uintptr_t)n, "Vec<f64>");
  AnyObject *release = ok(opendp_core__measurement_invoke(measurement, data));
  FfiSlice *view = ok(opendp_data__object_as_slice(release));
  double answer = *(const double *)view->ptr;

  opendp_data__slice_free(view);
  AnyObject *objects[] = {release, data, bounds, size, nan_flag};
  for (size_t i = 0; i < sizeof objects / sizeof *objects; i++) opendp_data__object_free(objects[i]);
  opendp_core___measurement_free(measurement);
  AnyTransformation *transformations[] = {clamp_mean, mean, clamp};
  for (size_t i = 0; i < 3; i++) opendp_core___transformation_free(transformations[i]);
  AnyDomain *domains[] = {clamped, vector, atom};
  for (size_t i = 0; i < 3; i++) opendp_domains___domain_free(domains[i]);
  opendp_metrics___metric_free(clamped_metric);
  opendp_metrics___metric_free(symmetric);
  return answer;
}

/* count_by_categories(10 categories + "other") >> laplace: one query, construction included. */
static long dp_histogram(const char *const *values, int n, long *counts_out) {
  AnyObject *categories = object(CATEGORIES, CATEGORY_COUNT, "Vec<String>");
  AnyDomain *atom = ok(opendp_domains__atom_domain(NULL, NULL, "String"));
  AnyDomain *vector = ok(opendp_domains__vector_domain(atom, NULL));
  AnyMetric *symmetric = ok(opendp_metrics__symmetric_distance());
  AnyTransformation *counts =
      ok(opendp_transformations__make_count_by_categories(vector, symmetric, categories, true, "L1Distance<i64>", "i64"));
  AnyMeasurement *measurement = then_laplace(counts, HISTOGRAM_SCALE);

  AnyObject *data = object(values, (uintptr_t)n, "Vec<String>");
  AnyObject *release = ok(opendp_core__measurement_invoke(measurement, data));
  FfiSlice *view = ok(opendp_data__object_as_slice(release));
  long total = 0;
  for (uintptr_t i = 0; i < view->len; i++) {
    counts_out[i] = ((const int64_t *)view->ptr)[i];
    total += counts_out[i];
  }

  opendp_data__slice_free(view);
  AnyObject *objects[] = {release, data, categories};
  for (size_t i = 0; i < sizeof objects / sizeof *objects; i++) opendp_data__object_free(objects[i]);
  opendp_core___measurement_free(measurement);
  opendp_core___transformation_free(counts);
  opendp_domains___domain_free(vector);
  opendp_domains___domain_free(atom);
  opendp_metrics___metric_free(symmetric);
  return total;
}

/* The benchmark's data, the same formula in every harness: values in [0, 100.06], 1 in 11 "other". */
static double *make_values(int n) {
  double *values = malloc(sizeof(double) * (size_t)n);
  for (int i = 0; i < n; i++) values[i] = (double)(((long)i * 7919) % 10007) / 100.0;
  return values;
}

static const char **make_labels(int n) {
  const char **labels = malloc(sizeof(char *) * (size_t)n);
  for (int i = 0; i < n; i++) {
    int k = (int)(((long)i * 7) % 11);
    labels[i] = k < CATEGORY_COUNT ? CATEGORIES[k] : OTHER;
  }
  return labels;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *xs, int n) {
  qsort(xs, (size_t)n, sizeof *xs, by_value);
  return n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

/* Warms up (`warmup` loop-sized and `repeats` full-sized queries, untimed), then times one query
   `repeats` times and `loop_queries` loop-sized queries in a row. */
typedef struct {
  int records, loop_records, loop_queries, repeats, warmup;
} Plan;

static void measure(const char *name, void (*query)(int), Plan plan) {
  int n = plan.records, loop_n = plan.loop_records, loop_queries = plan.loop_queries, repeats = plan.repeats;
  int warmup = plan.warmup;
  double *ms = malloc(sizeof(double) * (size_t)repeats);
  for (int q = 0; q < warmup; q++) query(loop_n);
  for (int r = 0; r < repeats; r++) query(n);
  for (int r = 0; r < repeats; r++) {
    double start = now_seconds();
    query(n);
    ms[r] = (now_seconds() - start) * 1e3;
  }
  double fastest = 1e300;
  for (int r = 0; r < repeats; r++) fastest = ms[r] < fastest ? ms[r] : fastest;
  double start = now_seconds();
  for (int q = 0; q < loop_queries; q++) query(loop_n);
  double loop_seconds = now_seconds() - start;
  printf("\"%s\": {\"query_ms_median\": %.4f, \"query_ms_min\": %.4f, \"loop_seconds\": %.4f}", name,
         median(ms, repeats), fastest, loop_seconds);
  free(ms);
}

static double *values;
static const char **labels;
static long histogram_counts[CATEGORY_COUNT + 1];
static volatile double sink;

static void mean_query(int n) { sink = dp_mean(values, n); }
static void histogram_query(int n) { sink = (double)dp_histogram(labels, n, histogram_counts); }

int main(int argc, char **argv) {
  Plan plan = {0, 0, 0, 0, -1};
  if (argc == 6) {
    plan = (Plan){atoi(argv[1]), atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5])};
  }
  if (plan.records < 1 || plan.loop_records < 1 || plan.loop_records > plan.records || plan.loop_queries < 1 ||
      plan.repeats < 1 || plan.warmup < 0) {
    fprintf(stderr, "usage: %s <records> <loop records> <loop queries> <repeats> <warm-up queries>\n", argv[0]);
    return 2;
  }
  values = make_values(plan.records);
  labels = make_labels(plan.records);
  printf("{\"harness\": \"c\", \"runtime\": \"gcc %s -O2\", ", __VERSION__);
  measure("mean", mean_query, plan);
  printf(", ");
  measure("histogram", histogram_query, plan);
  printf("}\n");
  free(values);
  free(labels);
  return 0;
}
