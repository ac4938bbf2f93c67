package dev.cleanroom.dp.opendp;

/** A privacy measure, such as `MaxDivergence` (pure ε-DP) or `ZeroConcentratedDivergence` (ρ-zCDP). */
public final class Measure extends NativeHandle {
  Measure(long pointer) {
    super(pointer, Native::freeMeasure);
  }

  @Override
  public String toString() {
    return read(Native::measureDebug);
  }
}
