package dev.cleanroom.dp.opendp;

/** A set of datasets or values a transformation accepts, such as `VectorDomain<AtomDomain<f64>>`. */
public final class Domain extends NativeHandle {
  Domain(long pointer) {
    super(pointer, Native::freeDomain);
  }

  @Override
  public String toString() {
    return read(Native::domainDebug);
  }
}
