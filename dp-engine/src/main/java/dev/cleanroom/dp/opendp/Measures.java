package dev.cleanroom.dp.opendp;

/** OpenDP's privacy measures ({@code opendp.measures}). */
public final class Measures {
  /** Descriptor of pure ε-DP, for the {@code MO} argument of noise constructors. */
  public static final String MAX_DIVERGENCE = "MaxDivergence";

  /** Descriptor of ρ-zero-concentrated DP, for the {@code MO} argument of noise constructors. */
  public static final String ZERO_CONCENTRATED_DIVERGENCE = "ZeroConcentratedDivergence";

  private Measures() {}

  public static Measure maxDivergence() {
    return new Measure(Native.maxDivergence());
  }

  public static Measure zeroConcentratedDivergence() {
    return new Measure(Native.zeroConcentratedDivergence());
  }
}
