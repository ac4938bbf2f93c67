/*
 * JNI shim between dev.cleanroom.dp.opendp.Native and OpenDP's C API (crate opendp 0.16, features
 * ffi + contrib), whose prototypes are in opendp_ffi.h.
 *
 * Invariant: every OpenDP result passes through unwrap(), the one place where an error struct becomes
 * a Java OpenDpException and is freed. Pointers cross to Java as jlong and are owned there; the shim
 * itself keeps no native object beyond the call that made it.
 */
#include <jni.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev_cleanroom_dp_opendp_Native.h"
#include "opendp_ffi.h"

static jclass exception_class;
static jmethodID exception_init;
static jclass out_of_memory_class;

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
  (void)reserved;
  JNIEnv *env;
  if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_10) != JNI_OK) {
    return JNI_ERR;
  }
  jclass local = (*env)->FindClass(env, "dev/cleanroom/dp/opendp/OpenDpException");
  jclass oom = (*env)->FindClass(env, "java/lang/OutOfMemoryError");
  if (local == NULL || oom == NULL) {
    return JNI_ERR;
  }
  exception_class = (*env)->NewGlobalRef(env, local);
  out_of_memory_class = (*env)->NewGlobalRef(env, oom);
  exception_init = (*env)->GetMethodID(env, exception_class, "<init>", "(Ljava/lang/String;Ljava/lang/String;)V");
  return exception_init == NULL ? JNI_ERR : JNI_VERSION_10;
}

static void throw_opendp(JNIEnv *env, const char *variant, const char *message) {
  if ((*env)->ExceptionCheck(env)) {
    return; /* a Java exception is already pending; it wins */
  }
  jstring jvariant = (*env)->NewStringUTF(env, variant);
  jstring jmessage = (*env)->NewStringUTF(env, message);
  if (jvariant == NULL || jmessage == NULL) {
    return; /* NewStringUTF threw OutOfMemoryError */
  }
  jobject exception = (*env)->NewObject(env, exception_class, exception_init, jvariant, jmessage);
  if (exception != NULL) {
    (*env)->Throw(env, exception);
  }
}

/* The one place an OpenDP result is unwrapped: Ok gives its pointer; Err throws and gives NULL. */
static void *unwrap(JNIEnv *env, FfiResult result) {
  if (result.tag == FFI_OK) {
    return result.ok;
  }
  FfiError *err = result.err;
  throw_opendp(env, err->variant ? err->variant : "Unknown", err->message ? err->message : "");
  opendp_core___error_free(err);
  return NULL;
}

static jlong handle(JNIEnv *env, FfiResult result) { return (jlong)(intptr_t)unwrap(env, result); }

#define PTR(h) ((void *)(intptr_t)(h))

/* A freshly allocated C string from OpenDP becomes a Java string; the C string is freed. */
static jstring take_string(JNIEnv *env, FfiResult result) {
  char *text = unwrap(env, result);
  if (text == NULL) {
    return NULL;
  }
  jstring value = (*env)->NewStringUTF(env, text);
  opendp_data__str_free(text);
  return value;
}

static jlong object_of(JNIEnv *env, const void *ptr, uintptr_t len, const char *type) {
  FfiSlice slice = {ptr, len};
  return handle(env, opendp_data__slice_as_object(&slice, type));
}

/* ---- data in ---- */

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_f64(JNIEnv *env, jclass cls, jdouble value) {
  (void)cls;
  double v = value;
  return object_of(env, &v, 1, "f64");
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_i32(JNIEnv *env, jclass cls, jint value) {
  (void)cls;
  int32_t v = value;
  return object_of(env, &v, 1, "i32");
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_u32(JNIEnv *env, jclass cls, jint value) {
  (void)cls;
  uint32_t v = (uint32_t)value;
  return object_of(env, &v, 1, "u32");
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_i64(JNIEnv *env, jclass cls, jlong value) {
  (void)cls;
  int64_t v = value;
  return object_of(env, &v, 1, "i64");
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_bool(JNIEnv *env, jclass cls, jboolean value) {
  (void)cls;
  bool v = value == JNI_TRUE;
  return object_of(env, &v, 1, "bool");
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_vecF64(JNIEnv *env, jclass cls, jdoubleArray values) {
  (void)cls;
  jsize n = (*env)->GetArrayLength(env, values);
  /* Critical access avoids a copy of large columns; OpenDP copies the buffer before we release it. */
  jdouble *data = (*env)->GetPrimitiveArrayCritical(env, values, NULL);
  if (data == NULL) {
    return 0;
  }
  FfiSlice slice = {data, (uintptr_t)n};
  FfiResult result = opendp_data__slice_as_object(&slice, "Vec<f64>");
  (*env)->ReleasePrimitiveArrayCritical(env, values, data, JNI_ABORT);
  return handle(env, result);
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_vecI64(JNIEnv *env, jclass cls, jlongArray values) {
  (void)cls;
  jsize n = (*env)->GetArrayLength(env, values);
  jlong *data = (*env)->GetPrimitiveArrayCritical(env, values, NULL);
  if (data == NULL) {
    return 0;
  }
  FfiSlice slice = {data, (uintptr_t)n};
  FfiResult result = opendp_data__slice_as_object(&slice, "Vec<i64>");
  (*env)->ReleasePrimitiveArrayCritical(env, values, data, JNI_ABORT);
  return handle(env, result);
}

/* Throws IndexOutOfBoundsException unless [from, to) lies within [0, limit); returns whether it does. */
static bool within(JNIEnv *env, jsize limit, jint from, jint to) {
  if (from < 0 || to < from || to > limit) {
    (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/IndexOutOfBoundsException"), "row range outside the selection");
    return false;
  }
  return true;
}

static void throw_row_outside(JNIEnv *env) {
  (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/IndexOutOfBoundsException"), "a selected row is outside the column");
}

/* The rows [from, to) of a selection (indexes into the column; NULL: the column's own positions) gathered from a
   column of `width`-byte values into one buffer that OpenDP copies. A query's parts (the rows a filter keeps, the
   rows it drops) are ranges of one selection over the same column arrays, so Java allocates nothing per part and a
   query allocates the same whatever its filter keeps. Every index is checked: a bad one is an exception, never a
   read outside the column. */
static jlong gathered(JNIEnv *env, jarray column, size_t width, jintArray rows, jint from, jint to, const char *type) {
  jsize length = (*env)->GetArrayLength(env, column);
  jsize limit = rows == NULL ? length : (*env)->GetArrayLength(env, rows);
  if (!within(env, limit, from, to)) {
    return 0;
  }
  size_t n = (size_t)(to - from);
  char *buffer = malloc((n > 0 ? n : 1) * width);
  if (buffer == NULL) {
    (*env)->ThrowNew(env, out_of_memory_class, "no memory for a column's rows");
    return 0;
  }
  char *values = (*env)->GetPrimitiveArrayCritical(env, column, NULL);
  if (values == NULL) {
    free(buffer);
    return 0;
  }
  jint *indexes = rows == NULL ? NULL : (*env)->GetPrimitiveArrayCritical(env, rows, NULL);
  if (rows != NULL && indexes == NULL) {
    (*env)->ReleasePrimitiveArrayCritical(env, column, values, JNI_ABORT);
    free(buffer);
    return 0;
  }
  int valid = 1;
  for (size_t i = 0; i < n; i++) {
    jint row = indexes == NULL ? from + (jint)i : indexes[from + i];
    if (row < 0 || row >= length) {
      valid = 0;
      break;
    }
    memcpy(buffer + i * width, values + (size_t)row * width, width);
  }
  if (indexes != NULL) {
    (*env)->ReleasePrimitiveArrayCritical(env, rows, indexes, JNI_ABORT);
  }
  (*env)->ReleasePrimitiveArrayCritical(env, column, values, JNI_ABORT);
  if (!valid) {
    free(buffer);
    throw_row_outside(env);
    return 0;
  }
  FfiSlice slice = {buffer, n};
  FfiResult result = opendp_data__slice_as_object(&slice, type);
  free(buffer);
  return handle(env, result);
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_vecF64Rows(JNIEnv *env, jclass cls, jdoubleArray values,
                                                                       jintArray rows, jint from, jint to) {
  (void)cls;
  return gathered(env, values, sizeof(jdouble), rows, from, to, "Vec<f64>");
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_vecI64Rows(JNIEnv *env, jclass cls, jlongArray values,
                                                                       jintArray rows, jint from, jint to) {
  (void)cls;
  return gathered(env, values, sizeof(jlong), rows, from, to, "Vec<i64>");
}

/* Strings of a selection's rows [from, to): `offsets` gives where each row's string of the whole column starts in
   `utf8`; the offsets of the selected rows are gathered first, then the strings as vecString does. */
JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_vecStringRows(JNIEnv *env, jclass cls, jbyteArray utf8,
                                                                          jintArray offsets, jintArray rows,
                                                                          jint from, jint to) {
  (void)cls;
  jsize length = (*env)->GetArrayLength(env, offsets);
  jsize limit = rows == NULL ? length : (*env)->GetArrayLength(env, rows);
  jsize bytes_length = (*env)->GetArrayLength(env, utf8);
  if (!within(env, limit, from, to)) {
    return 0;
  }
  size_t n = (size_t)(to - from);
  const char **strings = malloc((n > 0 ? n : 1) * sizeof(char *));
  if (strings == NULL) {
    (*env)->ThrowNew(env, out_of_memory_class, "no memory for a string vector");
    return 0;
  }
  jbyte *bytes = (*env)->GetPrimitiveArrayCritical(env, utf8, NULL);
  jint *starts = bytes == NULL ? NULL : (*env)->GetPrimitiveArrayCritical(env, offsets, NULL);
  jint *indexes = starts == NULL || rows == NULL ? NULL : (*env)->GetPrimitiveArrayCritical(env, rows, NULL);
  if (bytes == NULL || starts == NULL || (rows != NULL && indexes == NULL)) {
    if (starts != NULL) {
      (*env)->ReleasePrimitiveArrayCritical(env, offsets, starts, JNI_ABORT);
    }
    if (bytes != NULL) {
      (*env)->ReleasePrimitiveArrayCritical(env, utf8, bytes, JNI_ABORT);
    }
    free(strings);
    return 0;
  }
  int valid = 1;
  for (size_t i = 0; i < n; i++) {
    jint row = indexes == NULL ? from + (jint)i : indexes[from + i];
    if (row < 0 || row >= length || starts[row] < 0 || starts[row] >= bytes_length) {
      valid = 0;
      break;
    }
    strings[i] = (const char *)bytes + starts[row];
  }
  if (indexes != NULL) {
    (*env)->ReleasePrimitiveArrayCritical(env, rows, indexes, JNI_ABORT);
  }
  (*env)->ReleasePrimitiveArrayCritical(env, offsets, starts, JNI_ABORT);
  if (!valid) {
    (*env)->ReleasePrimitiveArrayCritical(env, utf8, bytes, JNI_ABORT);
    free(strings);
    throw_row_outside(env);
    return 0;
  }
  /* OpenDP copies every string into its own vector before the buffer is released. */
  FfiSlice slice = {strings, n};
  FfiResult result = opendp_data__slice_as_object(&slice, "Vec<String>");
  (*env)->ReleasePrimitiveArrayCritical(env, utf8, bytes, JNI_ABORT);
  free(strings);
  return handle(env, result);
}

/* The Java side hands over every string at once: NUL-terminated UTF-8 in one buffer and where each
   string starts, so a million strings cost two array accesses here instead of a million JNI calls. */
JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_vecString(JNIEnv *env, jclass cls, jbyteArray utf8,
                                                                       jintArray offsets) {
  (void)cls;
  jsize n = (*env)->GetArrayLength(env, offsets);
  const char **strings = malloc((n > 0 ? (size_t)n : 1) * sizeof(char *));
  if (strings == NULL) {
    (*env)->ThrowNew(env, out_of_memory_class, "no memory for a string vector");
    return 0;
  }
  jbyte *bytes = (*env)->GetPrimitiveArrayCritical(env, utf8, NULL);
  if (bytes == NULL) {
    free(strings);
    return 0;
  }
  jint *starts = (*env)->GetPrimitiveArrayCritical(env, offsets, NULL);
  if (starts == NULL) {
    (*env)->ReleasePrimitiveArrayCritical(env, utf8, bytes, JNI_ABORT);
    free(strings);
    return 0;
  }
  for (jsize i = 0; i < n; i++) {
    strings[i] = (const char *)bytes + starts[i];
  }
  (*env)->ReleasePrimitiveArrayCritical(env, offsets, starts, JNI_ABORT);
  /* OpenDP copies every string into its own vector before the buffer is released. */
  FfiSlice slice = {strings, (uintptr_t)n};
  FfiResult result = opendp_data__slice_as_object(&slice, "Vec<String>");
  (*env)->ReleasePrimitiveArrayCritical(env, utf8, bytes, JNI_ABORT);
  free(strings);
  return handle(env, result);
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_tupleF64(JNIEnv *env, jclass cls, jdouble first,
                                                                      jdouble second) {
  (void)cls;
  double a = first, b = second;
  const void *pair[2] = {&a, &b};
  return object_of(env, pair, 2, "(f64, f64)");
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_tupleI64(JNIEnv *env, jclass cls, jlong first,
                                                                      jlong second) {
  (void)cls;
  int64_t a = first, b = second;
  const void *pair[2] = {&a, &b};
  return object_of(env, pair, 2, "(i64, i64)");
}

/* ---- data out ---- */

JNIEXPORT jstring JNICALL Java_dev_cleanroom_dp_opendp_Native_objectType(JNIEnv *env, jclass cls, jlong object) {
  (void)cls;
  return take_string(env, opendp_data__object_type(PTR(object)));
}

/* Reads an object's raw view; the view points into the object, so read it before the object is freed. */
static FfiSlice *view(JNIEnv *env, jlong object) { return unwrap(env, opendp_data__object_as_slice(PTR(object))); }

static char *type_of(JNIEnv *env, jlong object) { return unwrap(env, opendp_data__object_type(PTR(object))); }

JNIEXPORT jdouble JNICALL Java_dev_cleanroom_dp_opendp_Native_toF64(JNIEnv *env, jclass cls, jlong object) {
  (void)cls;
  char *type = type_of(env, object);
  if (type == NULL) {
    return 0;
  }
  bool is_f64 = strcmp(type, "f64") == 0;
  opendp_data__str_free(type);
  if (!is_f64) {
    throw_opendp(env, "FFI", "expected an f64 object");
    return 0;
  }
  FfiSlice *slice = view(env, object);
  if (slice == NULL) {
    return 0;
  }
  double value = *(const double *)slice->ptr;
  opendp_data__slice_free(slice);
  return value;
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_toI64(JNIEnv *env, jclass cls, jlong object) {
  (void)cls;
  char *type = type_of(env, object);
  if (type == NULL) {
    return 0;
  }
  FfiSlice *slice = view(env, object);
  jlong value = 0;
  if (slice != NULL) {
    if (strcmp(type, "i64") == 0) {
      value = *(const int64_t *)slice->ptr;
    } else if (strcmp(type, "i32") == 0) {
      value = *(const int32_t *)slice->ptr;
    } else if (strcmp(type, "u32") == 0) {
      value = *(const uint32_t *)slice->ptr;
    } else if (strcmp(type, "usize") == 0 || strcmp(type, "u64") == 0) {
      value = (jlong) * (const uint64_t *)slice->ptr;
    } else {
      throw_opendp(env, "FFI", "expected an integer object (i32, i64, u32, u64 or usize)");
    }
    opendp_data__slice_free(slice);
  }
  opendp_data__str_free(type);
  return value;
}

JNIEXPORT jdoubleArray JNICALL Java_dev_cleanroom_dp_opendp_Native_toF64Vec(JNIEnv *env, jclass cls, jlong object) {
  (void)cls;
  char *type = type_of(env, object);
  if (type == NULL) {
    return NULL;
  }
  bool ok = strcmp(type, "Vec<f64>") == 0;
  opendp_data__str_free(type);
  if (!ok) {
    throw_opendp(env, "FFI", "expected a Vec<f64> object");
    return NULL;
  }
  FfiSlice *slice = view(env, object);
  if (slice == NULL) {
    return NULL;
  }
  jdoubleArray array = (*env)->NewDoubleArray(env, (jsize)slice->len);
  if (array != NULL) {
    (*env)->SetDoubleArrayRegion(env, array, 0, (jsize)slice->len, slice->ptr);
  }
  opendp_data__slice_free(slice);
  return array;
}

JNIEXPORT jlongArray JNICALL Java_dev_cleanroom_dp_opendp_Native_toI64Vec(JNIEnv *env, jclass cls, jlong object) {
  (void)cls;
  char *type = type_of(env, object);
  if (type == NULL) {
    return NULL;
  }
  int width = strcmp(type, "Vec<i64>") == 0 ? 64 : strcmp(type, "Vec<i32>") == 0 ? 32 : 0;
  opendp_data__str_free(type);
  if (width == 0) {
    throw_opendp(env, "FFI", "expected a Vec<i64> or Vec<i32> object");
    return NULL;
  }
  FfiSlice *slice = view(env, object);
  if (slice == NULL) {
    return NULL;
  }
  jsize n = (jsize)slice->len;
  jlongArray array = (*env)->NewLongArray(env, n);
  if (array != NULL) {
    if (width == 64) {
      (*env)->SetLongArrayRegion(env, array, 0, n, slice->ptr);
    } else {
      const int32_t *ints = slice->ptr;
      for (jsize i = 0; i < n; i++) {
        jlong v = ints[i];
        (*env)->SetLongArrayRegion(env, array, i, 1, &v);
      }
    }
  }
  opendp_data__slice_free(slice);
  return array;
}

JNIEXPORT jdoubleArray JNICALL Java_dev_cleanroom_dp_opendp_Native_toF64Tuple(JNIEnv *env, jclass cls,
                                                                               jlong object) {
  (void)cls;
  char *type = type_of(env, object);
  if (type == NULL) {
    return NULL;
  }
  bool ok = strcmp(type, "(f64, f64)") == 0;
  opendp_data__str_free(type);
  if (!ok) {
    throw_opendp(env, "FFI", "expected an (f64, f64) object");
    return NULL;
  }
  FfiSlice *slice = view(env, object);
  if (slice == NULL) {
    return NULL;
  }
  /* OpenDP hands out a boxed array of two pointers into the tuple and does not free that array
     (16 bytes per call); it is called once per query, never per record. */
  const void *const *pair = slice->ptr;
  double values[2] = {*(const double *)pair[0], *(const double *)pair[1]};
  opendp_data__slice_free(slice);
  jdoubleArray array = (*env)->NewDoubleArray(env, 2);
  if (array != NULL) {
    (*env)->SetDoubleArrayRegion(env, array, 0, 2, values);
  }
  return array;
}

/* ---- freeing and describing ---- */

#define FREE_FN(java_name, c_fn)                                                                    \
  JNIEXPORT void JNICALL Java_dev_cleanroom_dp_opendp_Native_##java_name(JNIEnv *env, jclass cls, jlong h) { \
    (void)cls;                                                                                        \
    unwrap(env, c_fn(PTR(h)));                                                                        \
  }

FREE_FN(freeObject, opendp_data__object_free)
FREE_FN(freeDomain, opendp_domains___domain_free)
FREE_FN(freeMetric, opendp_metrics___metric_free)
FREE_FN(freeMeasure, opendp_measures___measure_free)
FREE_FN(freeTransformation, opendp_core___transformation_free)
FREE_FN(freeMeasurement, opendp_core___measurement_free)

JNIEXPORT jstring JNICALL Java_dev_cleanroom_dp_opendp_Native_domainDebug(JNIEnv *env, jclass cls, jlong h) {
  (void)cls;
  return take_string(env, opendp_domains__domain_debug(PTR(h)));
}

JNIEXPORT jstring JNICALL Java_dev_cleanroom_dp_opendp_Native_metricDebug(JNIEnv *env, jclass cls, jlong h) {
  (void)cls;
  return take_string(env, opendp_metrics__metric_debug(PTR(h)));
}

JNIEXPORT jstring JNICALL Java_dev_cleanroom_dp_opendp_Native_measureDebug(JNIEnv *env, jclass cls, jlong h) {
  (void)cls;
  return take_string(env, opendp_measures__measure_debug(PTR(h)));
}

/* ---- strings in: a Java type descriptor as a C string for the length of one call ---- */

typedef struct {
  JNIEnv *env;
  jstring java;
  const char *c;
} Utf;

static bool utf_open(JNIEnv *env, jstring java, Utf *utf) {
  utf->env = env;
  utf->java = java;
  utf->c = java == NULL ? NULL : (*env)->GetStringUTFChars(env, java, NULL);
  return java == NULL || utf->c != NULL;
}

static void utf_close(Utf *utf) {
  if (utf->c != NULL) {
    (*utf->env)->ReleaseStringUTFChars(utf->env, utf->java, utf->c);
  }
}

/* ---- domains, metrics, measures ---- */

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_atomDomain(JNIEnv *env, jclass cls, jlong bounds,
                                                                        jlong nan, jstring type) {
  (void)cls;
  Utf t;
  if (!utf_open(env, type, &t)) {
    return 0;
  }
  jlong result = handle(env, opendp_domains__atom_domain(PTR(bounds), PTR(nan), t.c));
  utf_close(&t);
  return result;
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_vectorDomain(JNIEnv *env, jclass cls, jlong atom,
                                                                          jlong size) {
  (void)cls;
  return handle(env, opendp_domains__vector_domain(PTR(atom), PTR(size)));
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_symmetricDistance(JNIEnv *env, jclass cls) {
  (void)cls;
  return handle(env, opendp_metrics__symmetric_distance());
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_insertDeleteDistance(JNIEnv *env, jclass cls) {
  (void)cls;
  return handle(env, opendp_metrics__insert_delete_distance());
}

#define TYPED_METRIC(java_name, c_fn)                                                                      \
  JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_##java_name(JNIEnv *env, jclass cls, jstring type) { \
    (void)cls;                                                                                               \
    Utf t;                                                                                                   \
    if (!utf_open(env, type, &t)) {                                                                          \
      return 0;                                                                                              \
    }                                                                                                        \
    jlong result = handle(env, c_fn(t.c));                                                                   \
    utf_close(&t);                                                                                           \
    return result;                                                                                           \
  }

TYPED_METRIC(absoluteDistance, opendp_metrics__absolute_distance)
TYPED_METRIC(l1Distance, opendp_metrics__l1_distance)
TYPED_METRIC(l2Distance, opendp_metrics__l2_distance)

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_linfDistance(JNIEnv *env, jclass cls,
                                                                          jboolean monotonic, jstring type) {
  (void)cls;
  Utf t;
  if (!utf_open(env, type, &t)) {
    return 0;
  }
  jlong result = handle(env, opendp_metrics__linf_distance(monotonic == JNI_TRUE, t.c));
  utf_close(&t);
  return result;
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_maxDivergence(JNIEnv *env, jclass cls) {
  (void)cls;
  return handle(env, opendp_measures__max_divergence());
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_zeroConcentratedDivergence(JNIEnv *env, jclass cls) {
  (void)cls;
  return handle(env, opendp_measures__zero_concentrated_divergence());
}

/* ---- transformations ---- */

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makeClamp(JNIEnv *env, jclass cls, jlong d, jlong m,
                                                                       jlong bounds) {
  (void)cls;
  return handle(env, opendp_transformations__make_clamp(PTR(d), PTR(m), PTR(bounds)));
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makeImputeConstant(JNIEnv *env, jclass cls, jlong d,
                                                                                jlong m, jlong constant) {
  (void)cls;
  return handle(env, opendp_transformations__make_impute_constant(PTR(d), PTR(m), PTR(constant)));
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makeSum(JNIEnv *env, jclass cls, jlong d, jlong m) {
  (void)cls;
  return handle(env, opendp_transformations__make_sum(PTR(d), PTR(m)));
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makeCount(JNIEnv *env, jclass cls, jlong d, jlong m,
                                                                       jstring output_type) {
  (void)cls;
  Utf t;
  if (!utf_open(env, output_type, &t)) {
    return 0;
  }
  jlong result = handle(env, opendp_transformations__make_count(PTR(d), PTR(m), t.c));
  utf_close(&t);
  return result;
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makeMean(JNIEnv *env, jclass cls, jlong d, jlong m) {
  (void)cls;
  return handle(env, opendp_transformations__make_mean(PTR(d), PTR(m)));
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makeResize(JNIEnv *env, jclass cls, jlong d, jlong m,
                                                                        jint size, jlong constant,
                                                                        jstring output_measure) {
  (void)cls;
  Utf mo;
  if (!utf_open(env, output_measure, &mo)) {
    return 0;
  }
  jlong result =
      handle(env, opendp_transformations__make_resize(PTR(d), PTR(m), (unsigned int)size, PTR(constant), mo.c));
  utf_close(&mo);
  return result;
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makeCountByCategories(
    JNIEnv *env, jclass cls, jlong d, jlong m, jlong categories, jboolean null_category, jstring output_metric,
    jstring output_type) {
  (void)cls;
  Utf mo, to;
  if (!utf_open(env, output_metric, &mo)) {
    return 0;
  }
  if (!utf_open(env, output_type, &to)) {
    utf_close(&mo);
    return 0;
  }
  jlong result = handle(env, opendp_transformations__make_count_by_categories(
                                 PTR(d), PTR(m), PTR(categories), null_category == JNI_TRUE, mo.c, to.c));
  utf_close(&to);
  utf_close(&mo);
  return result;
}

/* ---- measurements ---- */

#define NOISE_MEASUREMENT(java_name, c_fn)                                                                      \
  JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_##java_name(JNIEnv *env, jclass cls, jlong d,     \
                                                                           jlong m, jdouble scale, jstring mo) { \
    (void)cls;                                                                                                    \
    Utf t;                                                                                                        \
    if (!utf_open(env, mo, &t)) {                                                                                 \
      return 0;                                                                                                   \
    }                                                                                                             \
    jlong result = handle(env, c_fn(PTR(d), PTR(m), scale, NULL, t.c));                                           \
    utf_close(&t);                                                                                                \
    return result;                                                                                                \
  }

NOISE_MEASUREMENT(makeLaplace, opendp_measurements__make_laplace)
NOISE_MEASUREMENT(makeGaussian, opendp_measurements__make_gaussian)

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makeGeometric(JNIEnv *env, jclass cls, jlong d, jlong m,
                                                                           jdouble scale, jlong bounds, jstring mo) {
  (void)cls;
  Utf t;
  if (!utf_open(env, mo, &t)) {
    return 0;
  }
  jlong result = handle(env, opendp_measurements__make_geometric(PTR(d), PTR(m), scale, PTR(bounds), t.c));
  utf_close(&t);
  return result;
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makePrivateQuantile(JNIEnv *env, jclass cls, jlong d,
                                                                                 jlong m, jlong output_measure,
                                                                                 jlong candidates, jdouble alpha,
                                                                                 jdouble scale) {
  (void)cls;
  return handle(env, opendp_measurements__make_private_quantile(PTR(d), PTR(m), PTR(output_measure),
                                                                PTR(candidates), alpha, scale));
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makeNoisyMax(JNIEnv *env, jclass cls, jlong d, jlong m,
                                                                          jlong output_measure, jdouble scale,
                                                                          jboolean negate) {
  (void)cls;
  return handle(env, opendp_measurements__make_noisy_max(PTR(d), PTR(m), PTR(output_measure), scale,
                                                         negate == JNI_TRUE));
}

/* ---- drafting a policy privately: key release (make_count_by, then make_laplace_threshold) ---- */

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makeCountBy(JNIEnv *env, jclass cls, jlong d, jlong m,
                                                                         jstring value_type) {
  (void)cls;
  Utf tv;
  if (!utf_open(env, value_type, &tv)) {
    return 0;
  }
  jlong result = handle(env, opendp_transformations__make_count_by(PTR(d), PTR(m), tv.c));
  utf_close(&tv);
  return result;
}

/*
 * The threshold is an i32 count: the value type the drafts count with (makeCountBy's "i32"). OpenDP reads the
 * threshold as the domain's value type, so a domain of any other value type is refused rather than read past an i32.
 */
JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makeLaplaceThreshold(JNIEnv *env, jclass cls, jlong d,
                                                                                  jlong m, jdouble scale,
                                                                                  jint threshold, jstring mo) {
  (void)cls;
  char *carrier = unwrap(env, opendp_domains__domain_carrier_type(PTR(d)));
  if (carrier == NULL) {
    return 0;
  }
  static const char i32_values[] = ", i32>";
  size_t length = strlen(carrier);
  bool counts_i32 = strncmp(carrier, "HashMap<", 8) == 0 && length >= sizeof i32_values - 1
                    && strcmp(carrier + length - (sizeof i32_values - 1), i32_values) == 0;
  opendp_data__str_free(carrier);
  if (!counts_i32) {
    throw_opendp(env, "FFI", "make_laplace_threshold takes an i32 threshold: its domain must be a map to i32 counts");
    return 0;
  }
  Utf t;
  if (!utf_open(env, mo, &t)) {
    return 0;
  }
  int32_t value = threshold;
  jlong result = handle(env, opendp_measurements__make_laplace_threshold(PTR(d), PTR(m), scale, &value, NULL, t.c));
  utf_close(&t);
  return result;
}

/*
 * The keys (as UTF-8 bytes) and counts of a map's two views as {byte[][] keys, int[] counts}, or NULL with an
 * exception pending. The keys go out as bytes for Java to decode: NewStringUTF reads modified UTF-8, in which a
 * character beyond the BMP (an emoji) is not its standard 4 bytes.
 */
static jobjectArray key_counts(JNIEnv *env, const FfiSlice *keys, const FfiSlice *counts) {
  if (keys->len != counts->len) {
    throw_opendp(env, "FFI", "a HashMap<String, i32> gave different numbers of keys and counts");
    return NULL;
  }
  jsize n = (jsize)keys->len;
  jclass bytes_class = (*env)->FindClass(env, "[B");
  jclass object_class = bytes_class == NULL ? NULL : (*env)->FindClass(env, "java/lang/Object");
  jobjectArray names = object_class == NULL ? NULL : (*env)->NewObjectArray(env, n, bytes_class, NULL);
  jintArray values = names == NULL ? NULL : (*env)->NewIntArray(env, n);
  if (values == NULL) {
    return NULL;
  }
  char *const *strings = keys->ptr;
  for (jsize i = 0; i < n; i++) {
    jsize length = (jsize)strlen(strings[i]);
    jbyteArray name = (*env)->NewByteArray(env, length);
    if (name == NULL) {
      return NULL;
    }
    (*env)->SetByteArrayRegion(env, name, 0, length, (const jbyte *)strings[i]);
    (*env)->SetObjectArrayElement(env, names, i, name);
    (*env)->DeleteLocalRef(env, name);
  }
  (*env)->SetIntArrayRegion(env, values, 0, n, (const jint *)counts->ptr);
  jobjectArray result = (*env)->NewObjectArray(env, 2, object_class, NULL);
  if (result != NULL) {
    (*env)->SetObjectArrayElement(env, result, 0, names);
    (*env)->SetObjectArrayElement(env, result, 1, values);
  }
  return result;
}

/*
 * A HashMap<String, i32> as {byte[][] keys (UTF-8), int[] counts}. OpenDP hands the map out as two fresh objects
 * (a Vec<String> whose strings it allocates for the caller, and a Vec<i32>), which are freed here on every path;
 * the small arrays that hold those pointers are OpenDP's own allocations, which its C API gives no call to free (a
 * few words per drafted column, once per `dcr provision --infer`).
 */
JNIEXPORT jobjectArray JNICALL Java_dev_cleanroom_dp_opendp_Native_toStringI32Map(JNIEnv *env, jclass cls,
                                                                                   jlong object) {
  (void)cls;
  char *type = type_of(env, object);
  if (type == NULL) {
    return NULL;
  }
  bool is_map = strcmp(type, "HashMap<String, i32>") == 0;
  if (!is_map) {
    char message[200];
    snprintf(message, sizeof message, "expected a HashMap<String, i32> object, got %.120s", type);
    opendp_data__str_free(type);
    throw_opendp(env, "FFI", message);
    return NULL;
  }
  opendp_data__str_free(type);
  FfiSlice *map = view(env, object);
  if (map == NULL) {
    return NULL;
  }
  AnyObject *const *parts = map->ptr;
  AnyObject *keys_object = parts[0];
  AnyObject *counts_object = parts[1];
  opendp_data__slice_free(map);
  jobjectArray result = NULL;
  FfiSlice *keys = view(env, (jlong)(intptr_t)keys_object);
  FfiSlice *counts = keys == NULL ? NULL : view(env, (jlong)(intptr_t)counts_object);
  if (keys != NULL && counts != NULL) {
    result = key_counts(env, keys, counts);
  }
  if (keys != NULL) {
    char *const *strings = keys->ptr;
    for (uintptr_t i = 0; i < keys->len; i++) {
      opendp_data__str_free(strings[i]);
    }
    opendp_data__slice_free(keys);
  }
  if (counts != NULL) {
    opendp_data__slice_free(counts);
  }
  opendp_data__object_free(keys_object);
  opendp_data__object_free(counts_object);
  return result;
}

/* ---- combinators ---- */

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makeChainMt(JNIEnv *env, jclass cls, jlong m1,
                                                                         jlong t0) {
  (void)cls;
  return handle(env, opendp_combinators__make_chain_mt(PTR(m1), PTR(t0)));
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makeChainTt(JNIEnv *env, jclass cls, jlong t1,
                                                                         jlong t0) {
  (void)cls;
  return handle(env, opendp_combinators__make_chain_tt(PTR(t1), PTR(t0)));
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makeZCDPToApproxDP(JNIEnv *env, jclass cls,
                                                                                jlong measurement) {
  (void)cls;
  return handle(env, opendp_combinators__make_zCDP_to_approxDP(PTR(measurement)));
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makeFixDelta(JNIEnv *env, jclass cls, jlong measurement,
                                                                          jdouble delta) {
  (void)cls;
  return handle(env, opendp_combinators__make_fix_delta(PTR(measurement), delta));
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_makeAdaptiveComposition(JNIEnv *env, jclass cls,
                                                                                     jlong d, jlong m,
                                                                                     jlong output_measure,
                                                                                     jlong d_in, jlong d_mids) {
  (void)cls;
  return handle(env, opendp_combinators__make_adaptive_composition(PTR(d), PTR(m), PTR(output_measure), PTR(d_in),
                                                                   PTR(d_mids)));
}

/* ---- core ---- */

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_measurementInvoke(JNIEnv *env, jclass cls, jlong m,
                                                                               jlong arg) {
  (void)cls;
  return handle(env, opendp_core__measurement_invoke(PTR(m), PTR(arg)));
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_measurementMap(JNIEnv *env, jclass cls, jlong m,
                                                                            jlong d_in) {
  (void)cls;
  return handle(env, opendp_core__measurement_map(PTR(m), PTR(d_in)));
}

JNIEXPORT jstring JNICALL Java_dev_cleanroom_dp_opendp_Native_measurementInputDistanceType(JNIEnv *env, jclass cls,
                                                                                          jlong m) {
  (void)cls;
  return take_string(env, opendp_core__measurement_input_distance_type(PTR(m)));
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_transformationInvoke(JNIEnv *env, jclass cls, jlong t,
                                                                                  jlong arg) {
  (void)cls;
  return handle(env, opendp_core__transformation_invoke(PTR(t), PTR(arg)));
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_transformationMap(JNIEnv *env, jclass cls, jlong t,
                                                                               jlong d_in) {
  (void)cls;
  return handle(env, opendp_core__transformation_map(PTR(t), PTR(d_in)));
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_transformationOutputDomain(JNIEnv *env, jclass cls,
                                                                                        jlong t) {
  (void)cls;
  return handle(env, opendp_core__transformation_output_domain(PTR(t)));
}

JNIEXPORT jlong JNICALL Java_dev_cleanroom_dp_opendp_Native_transformationOutputMetric(JNIEnv *env, jclass cls,
                                                                                        jlong t) {
  (void)cls;
  return handle(env, opendp_core__transformation_output_metric(PTR(t)));
}

JNIEXPORT jstring JNICALL Java_dev_cleanroom_dp_opendp_Native_transformationInputDistanceType(JNIEnv *env,
                                                                                             jclass cls, jlong t) {
  (void)cls;
  return take_string(env, opendp_core__transformation_input_distance_type(PTR(t)));
}
