package dev.cleanroom.dp.opendp;

/**
 * The JNI entry points of {@code libdcr_opendp.so}, one per OpenDP C function we use.
 *
 * <p>Every {@code long} is a pointer to a native OpenDP object owned by exactly one {@link NativeHandle};
 * {@code 0} stands for C's {@code NULL} (an omitted optional argument). Every method either returns a
 * fresh pointer or throws {@link OpenDpException}: the shim unwraps OpenDP's result struct in one place.
 */
final class Native {
  private Native() {}

  static {
    NativeLibrary.load();
  }

  // data: Java values into OpenDP objects ("AnyObject") and back
  static native long f64(double value);

  static native long i32(int value);

  static native long u32(int value);

  static native long i64(long value);

  static native long bool(boolean value);

  static native long vecF64(double[] values);

  static native long vecI64(long[] values);

  /** A {@code Vec<f64>} of {@code values[rows[i]]} for i in [from, to); {@code rows} null: i itself. */
  static native long vecF64Rows(double[] values, int[] rows, int from, int to);

  static native long vecI64Rows(long[] values, int[] rows, int from, int to);

  /** As {@link #vecString}, of the strings starting at {@code offsets[rows[i]]} for i in [from, to). */
  static native long vecStringRows(byte[] utf8, int[] offsets, int[] rows, int from, int to);

  /** A {@code Vec<String>} from NUL-terminated UTF-8 strings in {@code utf8}, one starting at each offset. */
  static native long vecString(byte[] utf8, int[] offsets);

  static native long tupleF64(double first, double second);

  static native long tupleI64(long first, long second);

  static native String objectType(long object);

  static native double toF64(long object);

  static native long toI64(long object);

  static native double[] toF64Vec(long object);

  static native long[] toI64Vec(long object);

  static native double[] toF64Tuple(long object);

  // freeing
  static native void freeObject(long object);

  static native void freeDomain(long domain);

  static native void freeMetric(long metric);

  static native void freeMeasure(long measure);

  static native void freeTransformation(long transformation);

  static native void freeMeasurement(long measurement);

  // descriptions, for toString and error messages
  static native String domainDebug(long domain);

  static native String metricDebug(long metric);

  static native String measureDebug(long measure);

  // domains, metrics, measures
  static native long atomDomain(long bounds, long nan, String type);

  static native long vectorDomain(long atomDomain, long size);

  static native long symmetricDistance();

  static native long insertDeleteDistance();

  static native long absoluteDistance(String type);

  static native long l1Distance(String type);

  static native long l2Distance(String type);

  static native long linfDistance(boolean monotonic, String type);

  static native long maxDivergence();

  static native long zeroConcentratedDivergence();

  // transformations
  static native long makeClamp(long domain, long metric, long bounds);

  static native long makeImputeConstant(long domain, long metric, long constant);

  static native long makeSum(long domain, long metric);

  static native long makeCount(long domain, long metric, String outputType);

  static native long makeMean(long domain, long metric);

  static native long makeResize(long domain, long metric, int size, long constant, String outputMeasure);

  static native long makeCountByCategories(
      long domain, long metric, long categories, boolean nullCategory, String outputMetric, String outputType);

  // measurements
  static native long makeLaplace(long domain, long metric, double scale, String outputMeasure);

  static native long makeGaussian(long domain, long metric, double scale, String outputMeasure);

  static native long makeGeometric(long domain, long metric, double scale, long bounds, String outputMeasure);

  static native long makePrivateQuantile(
      long domain, long metric, long outputMeasure, long candidates, double alpha, double scale);

  static native long makeNoisyMax(long domain, long metric, long outputMeasure, double scale, boolean negate);

  // drafting a policy privately: key release (make_count_by, then make_laplace_threshold)
  static native long makeCountBy(long domain, long metric, String valueType);

  /**
   * {@code threshold} is an i32 count, the value type {@link #makeCountBy} counts with here; a domain that is not a
   * map to i32 counts is refused.
   */
  static native long makeLaplaceThreshold(long domain, long metric, double scale, int threshold, String outputMeasure);

  /** A {@code HashMap<String, i32>} as {@code {byte[][] keys, int[] counts}}, each key its UTF-8 bytes. */
  static native Object[] toStringI32Map(long object);

  // combinators
  static native long makeChainMt(long measurement1, long transformation0);

  static native long makeChainTt(long transformation1, long transformation0);

  static native long makeZCDPToApproxDP(long measurement);

  static native long makeFixDelta(long measurement, double delta);

  static native long makeAdaptiveComposition(
      long domain, long metric, long outputMeasure, long distanceIn, long distancesMid);

  // core
  static native long measurementInvoke(long measurement, long argument);

  static native long measurementMap(long measurement, long distanceIn);

  static native String measurementInputDistanceType(long measurement);

  static native long transformationInvoke(long transformation, long argument);

  static native long transformationMap(long transformation, long distanceIn);

  static native long transformationOutputDomain(long transformation);

  static native long transformationOutputMetric(long transformation);

  static native String transformationInputDistanceType(long transformation);
}
