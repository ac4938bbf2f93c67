package dev.cleanroom.dp.opendp;

/**
 * A differentially private mechanism: a randomized function with a privacy map from input distance to
 * privacy loss (ε for {@code MaxDivergence}, ρ for zCDP, (ε, δ) for approximate DP).
 */
public final class Measurement extends NativeHandle {
  Measurement(long pointer) {
    super(pointer, Native::freeMeasurement);
  }

  /** Runs the mechanism once: every call draws fresh noise from OpenDP's secure RNG. */
  public Data invoke(Data argument) {
    return new Data(apply(m -> Native.measurementInvoke(m, argument.pointer())));
  }

  /** The privacy map: the privacy loss when neighbouring inputs are {@code distanceIn} apart. */
  public Data map(Data distanceIn) {
    return new Data(apply(m -> Native.measurementMap(m, distanceIn.pointer())));
  }

  /** OpenDP's type descriptor of the input distance, such as {@code u32}. */
  public String inputDistanceType() {
    return read(Native::measurementInputDistanceType);
  }
}
