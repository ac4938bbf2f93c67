package dev.cleanroom.dp.opendp;

/**
 * A stable transformation: a function with a stability map from input distance to output distance.
 * Not private on its own; chain it into a {@link Measurement}.
 */
public final class Transformation extends NativeHandle {
  Transformation(long pointer) {
    super(pointer, Native::freeTransformation);
  }

  public Data invoke(Data argument) {
    return new Data(apply(t -> Native.transformationInvoke(t, argument.pointer())));
  }

  /** The stability map: how far apart outputs may be when inputs are {@code distanceIn} apart. */
  public Data map(Data distanceIn) {
    return new Data(apply(t -> Native.transformationMap(t, distanceIn.pointer())));
  }

  /** A new handle to the output domain, for building the next step of a chain. */
  public Domain outputDomain() {
    return new Domain(apply(Native::transformationOutputDomain));
  }

  /** A new handle to the output metric, for building the next step of a chain. */
  public Metric outputMetric() {
    return new Metric(apply(Native::transformationOutputMetric));
  }

  /** OpenDP's type descriptor of the input distance, such as {@code u32}. */
  public String inputDistanceType() {
    return read(Native::transformationInputDistanceType);
  }
}
