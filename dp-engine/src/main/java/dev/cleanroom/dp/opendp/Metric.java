package dev.cleanroom.dp.opendp;

/** A distance between datasets or values, such as `SymmetricDistance`. */
public final class Metric extends NativeHandle {
  Metric(long pointer) {
    super(pointer, Native::freeMetric);
  }

  @Override
  public String toString() {
    return read(Native::metricDebug);
  }
}
