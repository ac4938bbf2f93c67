package dev.cleanroom.dp.opendp;

import java.util.List;

/**
 * A value held by OpenDP (its {@code AnyObject}): a measurement's argument, answer or distance.
 *
 * <p>Factories are named by OpenDP's type descriptor ({@code f64}, {@code Vec<String>}, ...); readers
 * check the native type first and fail with {@link OpenDpException} on a mismatch.
 */
public final class Data extends NativeHandle {
  Data(long pointer) {
    super(pointer, Native::freeObject);
  }

  public static Data f64(double value) {
    return new Data(Native.f64(value));
  }

  public static Data i32(int value) {
    return new Data(Native.i32(value));
  }

  /** An unsigned 32-bit integer, the type of symmetric distances (dataset distance {@code d_in}). */
  public static Data u32(int value) {
    if (value < 0) {
      throw new IllegalArgumentException("u32 takes a non-negative value, got " + value);
    }
    return new Data(Native.u32(value));
  }

  public static Data i64(long value) {
    return new Data(Native.i64(value));
  }

  public static Data bool(boolean value) {
    return new Data(Native.bool(value));
  }

  public static Data vecF64(double[] values) {
    return new Data(Native.vecF64(values));
  }

  public static Data vecI64(long[] values) {
    return new Data(Native.vecI64(values));
  }

  public static Data vecString(List<String> values) {
    for (String value : values) {
      // The shim passes modified UTF-8, which equals UTF-8 except for NUL and supplementary characters.
      if (value.indexOf('\0') >= 0 || value.codePoints().anyMatch(Character::isSupplementaryCodePoint)) {
        throw new IllegalArgumentException(
            "OpenDP strings may not contain NUL or characters outside the Basic Multilingual Plane: " + value);
      }
    }
    return new Data(Native.vecString(values.toArray(String[]::new)));
  }

  public static Data tupleF64(double first, double second) {
    return new Data(Native.tupleF64(first, second));
  }

  public static Data tupleI64(long first, long second) {
    return new Data(Native.tupleI64(first, second));
  }

  /** OpenDP's type descriptor of this value, such as {@code Vec<f64>}. */
  public String type() {
    return read(Native::objectType);
  }

  public double asF64() {
    return read(Native::toF64);
  }

  /** Reads any integer type that fits a Java long (i32, i64, u32, u64, usize). */
  public long asI64() {
    return apply(Native::toI64);
  }

  public double[] asF64Vec() {
    return read(Native::toF64Vec);
  }

  public long[] asI64Vec() {
    return read(Native::toI64Vec);
  }

  /** Reads an {@code (f64, f64)} pair, such as the (ε, δ) of an approximate-DP measurement. */
  public double[] asF64Tuple() {
    return read(Native::toF64Tuple);
  }

  @Override
  public String toString() {
    return "Data<" + type() + ">";
  }
}
