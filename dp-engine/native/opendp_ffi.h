/*
 * The part of OpenDP's C API (crate opendp 0.16, features ffi + contrib) that this project calls,
 * declared by hand: OpenDP ships no C header for crates.io builds. Checked against the 0.16.0 sources
 * (rust/src/.../ffi.rs). All results share one layout: a u32 tag and a pointer, returned by value.
 *
 * Included by the JNI shim (opendp_jni.c) and by the C floor of bench/opendp, so both call exactly
 * the same functions with the same signatures.
 */
#ifndef DCR_OPENDP_FFI_H
#define DCR_OPENDP_FFI_H

#include <stdbool.h>
#include <stdint.h>

typedef struct FfiError {
  char *variant;
  char *message; /* may be NULL */
  char *backtrace;
} FfiError;

typedef struct FfiSlice {
  const void *ptr;
  uintptr_t len;
} FfiSlice;

enum { FFI_OK = 0, FFI_ERR = 1 };

typedef struct FfiResult {
  uint32_t tag;
  union {
    void *ok;
    FfiError *err;
  };
} FfiResult;

typedef void AnyObject, AnyDomain, AnyMetric, AnyMeasure, AnyTransformation, AnyMeasurement;

/* data */
extern FfiResult opendp_data__slice_as_object(const FfiSlice *raw, const char *type);
extern FfiResult opendp_data__object_as_slice(const AnyObject *obj);
extern FfiResult opendp_data__object_type(AnyObject *obj);
extern FfiResult opendp_data__object_free(AnyObject *obj);
extern FfiResult opendp_data__slice_free(FfiSlice *slice);
extern FfiResult opendp_data__str_free(char *str);
extern bool opendp_core___error_free(FfiError *err);
/* free and describe */
extern FfiResult opendp_domains___domain_free(AnyDomain *domain);
extern FfiResult opendp_metrics___metric_free(AnyMetric *metric);
extern FfiResult opendp_measures___measure_free(AnyMeasure *measure);
extern FfiResult opendp_core___transformation_free(AnyTransformation *transformation);
extern FfiResult opendp_core___measurement_free(AnyMeasurement *measurement);
extern FfiResult opendp_domains__domain_debug(AnyDomain *domain);
extern FfiResult opendp_domains__domain_carrier_type(AnyDomain *domain);
extern FfiResult opendp_metrics__metric_debug(AnyMetric *metric);
extern FfiResult opendp_measures__measure_debug(AnyMeasure *measure);
/* domains, metrics, measures */
extern FfiResult opendp_domains__atom_domain(const AnyObject *bounds, const AnyObject *nan, const char *T);
extern FfiResult opendp_domains__vector_domain(const AnyDomain *atom_domain, const AnyObject *size);
extern FfiResult opendp_metrics__symmetric_distance(void);
extern FfiResult opendp_metrics__insert_delete_distance(void);
extern FfiResult opendp_metrics__absolute_distance(const char *T);
extern FfiResult opendp_metrics__l1_distance(const char *T);
extern FfiResult opendp_metrics__l2_distance(const char *T);
extern FfiResult opendp_metrics__linf_distance(bool monotonic, const char *T);
extern FfiResult opendp_measures__max_divergence(void);
extern FfiResult opendp_measures__zero_concentrated_divergence(void);
/* transformations */
extern FfiResult opendp_transformations__make_clamp(const AnyDomain *, const AnyMetric *, const AnyObject *bounds);
extern FfiResult opendp_transformations__make_impute_constant(const AnyDomain *, const AnyMetric *,
                                                              const AnyObject *constant);
extern FfiResult opendp_transformations__make_sum(const AnyDomain *, const AnyMetric *);
extern FfiResult opendp_transformations__make_count(const AnyDomain *, const AnyMetric *, const char *TO);
extern FfiResult opendp_transformations__make_mean(const AnyDomain *, const AnyMetric *);
extern FfiResult opendp_transformations__make_resize(const AnyDomain *, const AnyMetric *, unsigned int size,
                                                     const AnyObject *constant, const char *MO);
extern FfiResult opendp_transformations__make_count_by_categories(const AnyDomain *, const AnyMetric *,
                                                                  const AnyObject *categories, bool null_category,
                                                                  const char *MO, const char *TO);
/* measurements */
extern FfiResult opendp_measurements__make_laplace(const AnyDomain *, const AnyMetric *, double scale, const int32_t *k,
                                                   const char *MO);
extern FfiResult opendp_measurements__make_gaussian(const AnyDomain *, const AnyMetric *, double scale,
                                                    const int32_t *k, const char *MO);
extern FfiResult opendp_measurements__make_geometric(const AnyDomain *, const AnyMetric *, double scale,
                                                     const AnyObject *bounds, const char *MO);
extern FfiResult opendp_measurements__make_private_quantile(const AnyDomain *, const AnyMetric *,
                                                            const AnyMeasure *output_measure,
                                                            const AnyObject *candidates, double alpha, double scale);
extern FfiResult opendp_measurements__make_noisy_max(const AnyDomain *, const AnyMetric *,
                                                     const AnyMeasure *output_measure, double scale, bool negate);
/* drafting a policy privately (issue 15): key release by count and threshold */
extern FfiResult opendp_transformations__make_count_by(const AnyDomain *, const AnyMetric *, const char *TV);
extern FfiResult opendp_measurements__make_laplace_threshold(const AnyDomain *, const AnyMetric *, double scale,
                                                             const void *threshold, const int32_t *k, const char *MO);
/* combinators */
extern FfiResult opendp_combinators__make_chain_mt(const AnyMeasurement *m1, const AnyTransformation *t0);
extern FfiResult opendp_combinators__make_chain_tt(const AnyTransformation *t1, const AnyTransformation *t0);
extern FfiResult opendp_combinators__make_zCDP_to_approxDP(const AnyMeasurement *measurement);
extern FfiResult opendp_combinators__make_fix_delta(const AnyMeasurement *measurement, double delta);
extern FfiResult opendp_combinators__make_adaptive_composition(const AnyDomain *, const AnyMetric *,
                                                               const AnyMeasure *output_measure,
                                                               const AnyObject *d_in, const AnyObject *d_mids);
/* core */
extern FfiResult opendp_core__measurement_invoke(const AnyMeasurement *, const AnyObject *arg);
extern FfiResult opendp_core__measurement_map(const AnyMeasurement *, const AnyObject *d_in);
extern FfiResult opendp_core__measurement_input_distance_type(AnyMeasurement *);
extern FfiResult opendp_core__transformation_invoke(const AnyTransformation *, const AnyObject *arg);
extern FfiResult opendp_core__transformation_map(const AnyTransformation *, const AnyObject *d_in);
extern FfiResult opendp_core__transformation_output_domain(AnyTransformation *);
extern FfiResult opendp_core__transformation_output_metric(AnyTransformation *);
extern FfiResult opendp_core__transformation_input_distance_type(AnyTransformation *);

#endif
