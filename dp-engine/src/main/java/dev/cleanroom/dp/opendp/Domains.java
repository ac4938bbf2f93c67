package dev.cleanroom.dp.opendp;

/** OpenDP's domain constructors ({@code opendp.domains}). */
public final class Domains {
  private Domains() {}

  /**
   * {@code atom_domain(T, nan=...)}: single values of {@code type}. For floats, {@code nan} says whether
   * NaN is a member; clamping requires a domain without NaN.
   */
  public static Domain atomDomain(String type, boolean nan) {
    try (Data nanFlag = Data.bool(nan)) {
      return new Domain(Native.atomDomain(0, nanFlag.pointer(), type));
    }
  }

  /** {@code atom_domain(T)}: single values of an integer or string {@code type} (no NaN question). */
  public static Domain atomDomain(String type) {
    return new Domain(Native.atomDomain(0, 0, type));
  }

  /** {@code vector_domain(atom_domain)}: vectors of any length whose elements are in {@code atom}. */
  public static Domain vectorDomain(Domain atom) {
    return new Domain(atom.apply(a -> Native.vectorDomain(a, 0)));
  }

  /** {@code vector_domain(atom_domain, size)}: vectors of exactly {@code size} elements. */
  public static Domain vectorDomain(Domain atom, int size) {
    try (Data sizeObject = Data.i32(size)) {
      return new Domain(atom.apply(a -> Native.vectorDomain(a, sizeObject.pointer())));
    }
  }
}
