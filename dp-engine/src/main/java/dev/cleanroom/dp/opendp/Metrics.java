package dev.cleanroom.dp.opendp;

/** OpenDP's metric constructors ({@code opendp.metrics}). */
public final class Metrics {
  private Metrics() {}

  /** Datasets are neighbours when one is the other with one record added or removed. */
  public static Metric symmetricDistance() {
    return new Metric(Native.symmetricDistance());
  }

  public static Metric insertDeleteDistance() {
    return new Metric(Native.insertDeleteDistance());
  }

  public static Metric absoluteDistance(String type) {
    return new Metric(Native.absoluteDistance(type));
  }

  public static Metric l1Distance(String type) {
    return new Metric(Native.l1Distance(type));
  }

  public static Metric l2Distance(String type) {
    return new Metric(Native.l2Distance(type));
  }

  /**
   * {@code linf_distance(T, monotonic)}: the largest difference between two vectors in any one
   * element. {@code monotonic} promises that neighbouring inputs move every element the same way.
   */
  public static Metric linfDistance(String type, boolean monotonic) {
    return new Metric(Native.linfDistance(monotonic, type));
  }
}
