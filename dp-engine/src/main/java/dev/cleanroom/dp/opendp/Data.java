package dev.cleanroom.dp.opendp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

  /**
   * A {@code Vec<String>}. OpenDP takes C strings, so a string may not contain NUL, and UTF-8, so it may
   * not contain an unpaired surrogate; either is refused before reaching native code.
   */
  public static Data vecString(List<String> values) {
    CStrings strings = CStrings.of(values);
    return new Data(Native.vecString(strings.utf8(), strings.offsets()));
  }

  /**
   * A {@code Vec<f64>} of the selected rows of a column: {@code values[rows[i]]} for i in [from, to), or
   * {@code values[i]} with {@code rows} null. Gathered in native memory, so the caller allocates nothing for it.
   */
  public static Data vecF64(double[] values, int[] rows, int from, int to) {
    return new Data(Native.vecF64Rows(values, rows, from, to));
  }

  /** A {@code Vec<i64>} of the selected rows of a column, as {@link #vecF64(double[], int[], int, int)}. */
  public static Data vecI64(long[] values, int[] rows, int from, int to) {
    return new Data(Native.vecI64Rows(values, rows, from, to));
  }

  /** A {@code Vec<String>} of the selected rows of an encoded column, as {@link #vecF64(double[], int[], int, int)}. */
  public static Data vecString(StringColumn column, int[] rows, int from, int to) {
    return new Data(Native.vecStringRows(column.strings.utf8(), column.strings.offsets(), rows, from, to));
  }

  /**
   * A column of strings encoded once for OpenDP (NUL-terminated UTF-8, equal strings sharing one copy), from which
   * any selection of rows becomes a {@code Vec<String>} without encoding again.
   */
  public static final class StringColumn {
    private final CStrings strings;

    private StringColumn(CStrings strings) {
      this.strings = strings;
    }

    /** @throws IllegalArgumentException if a value holds NUL or an unpaired surrogate (see {@link #vecString(List)}) */
    public static StringColumn of(List<String> values) {
      return new StringColumn(CStrings.of(values));
    }
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

  /** Reads a {@code HashMap<String, i32>}, such as a key release's counts, in no particular order. */
  public java.util.Map<String, Integer> asStringI32Map() {
    Object[] parts = read(Native::toStringI32Map);
    byte[][] keys = (byte[][]) parts[0];
    int[] counts = (int[]) parts[1];
    java.util.Map<String, Integer> map = new java.util.HashMap<>();
    for (int i = 0; i < keys.length; i++) {
      map.put(new String(keys[i], StandardCharsets.UTF_8), counts[i]);
    }
    return map;
  }

  /** Reads an {@code (f64, f64)} pair, such as the (ε, δ) of an approximate-DP measurement. */
  public double[] asF64Tuple() {
    return read(Native::toF64Tuple);
  }

  @Override
  public String toString() {
    return "Data<" + type() + ">";
  }

  /**
   * Strings as NUL-terminated UTF-8 in one buffer and where each one starts, so that the shim crosses
   * into native code once per vector, not once per string. Equal strings share one copy: string
   * columns are categorical and repeat a few values many times.
   */
  private record CStrings(byte[] utf8, int[] offsets) {
    static CStrings of(List<String> values) {
      Map<String, Integer> offsetOf = new HashMap<>();
      ByteArrayOutputStream utf8 = new ByteArrayOutputStream();
      int[] offsets = new int[values.size()];
      int index = 0;
      for (String value : values) {
        if (value == null) {
          throw new IllegalArgumentException("string " + index + " of the vector is null");
        }
        Integer offset = offsetOf.get(value);
        if (offset == null) {
          offset = utf8.size();
          utf8.writeBytes(encode(value, index));
          utf8.write(0);
          offsetOf.put(value, offset);
        }
        offsets[index++] = offset;
      }
      return new CStrings(utf8.toByteArray(), offsets);
    }

    /** The message names the position, never the value: the vector may be a column of private data. */
    private static byte[] encode(String value, int index) {
      if (value.indexOf('\0') >= 0) {
        throw new IllegalArgumentException(
            "string " + index + " of the vector contains NUL, which OpenDP's C strings cannot carry");
      }
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        boolean pairStarts = Character.isHighSurrogate(c) && i + 1 < value.length()
            && Character.isLowSurrogate(value.charAt(i + 1));
        if (pairStarts) {
          i++;
        } else if (Character.isSurrogate(c)) {
          throw new IllegalArgumentException(
              "string " + index + " of the vector has an unpaired surrogate, which UTF-8 cannot carry");
        }
      }
      return value.getBytes(StandardCharsets.UTF_8);
    }
  }
}
