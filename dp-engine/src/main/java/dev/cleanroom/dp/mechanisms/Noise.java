package dev.cleanroom.dp.mechanisms;

import dev.cleanroom.dp.accounting.PrivacyCost;
import dev.cleanroom.dp.opendp.Combinators;
import dev.cleanroom.dp.opendp.Data;
import dev.cleanroom.dp.opendp.Domain;
import dev.cleanroom.dp.opendp.Measurement;
import dev.cleanroom.dp.opendp.Measurements;
import dev.cleanroom.dp.opendp.Measures;
import dev.cleanroom.dp.opendp.Metric;
import dev.cleanroom.dp.opendp.OpenDpException;
import dev.cleanroom.dp.opendp.Transformation;
import java.math.BigDecimal;
import java.util.function.DoubleFunction;
import java.util.function.DoubleUnaryOperator;

/**
 * The noise a query's aggregate gets, and how its privacy loss is read back from OpenDP.
 *
 * <p>Costs always come from OpenDP's privacy map at distance 1 (one record added or removed), never
 * from our own formula; {@link #calibrate} only searches for the smallest scale whose mapped cost fits.
 */
abstract sealed class Noise {
  /** Laplace noise (discrete Laplace on integers), pure ε-DP. */
  static final class Laplace extends Noise {
    @Override
    String name() {
      return "laplace";
    }

    @Override
    Measurement alone(Transformation aggregate, double scale, Handles handles) {
      Domain domain = handles.add(aggregate.outputDomain());
      Metric metric = handles.add(aggregate.outputMetric());
      return Measurements.makeLaplace(domain, metric, scale, Measures.MAX_DIVERGENCE);
    }

    @Override
    Measurement after(Transformation aggregate, double scale, Handles handles) {
      return Combinators.makeChainMt(handles.add(alone(aggregate, scale, handles)), aggregate);
    }

    @Override
    PrivacyCost cost(Measurement measurement) {
      try (Data one = Data.u32(1); Data epsilon = measurement.map(one)) {
        return PrivacyCost.pure(epsilon.asF64());
      }
    }
  }

  /**
   * Gaussian noise (discrete Gaussian on integers), accounted in ρ-zCDP and converted by OpenDP's
   * zCDP-to-approximate-DP combinator with δ fixed, so the charge is a sound (ε, δ).
   */
  static final class Gaussian extends Noise {
    private final double delta;

    Gaussian(double delta) {
      this.delta = delta;
    }

    @Override
    String name() {
      return "gaussian";
    }

    @Override
    String outputMetric() {
      return "L2Distance<i64>";
    }

    @Override
    Measurement alone(Transformation aggregate, double scale, Handles handles) {
      Domain domain = handles.add(aggregate.outputDomain());
      Metric metric = handles.add(aggregate.outputMetric());
      return Measurements.makeGaussian(domain, metric, scale, Measures.ZERO_CONCENTRATED_DIVERGENCE);
    }

    @Override
    Measurement after(Transformation aggregate, double scale, Handles handles) {
      Measurement noise = handles.add(alone(aggregate, scale, handles));
      Measurement zcdp = handles.add(Combinators.makeChainMt(noise, aggregate));
      Measurement profile = handles.add(Combinators.makeZCDPToApproxDP(zcdp));
      return Combinators.makeFixDelta(profile, delta);
    }

    @Override
    PrivacyCost cost(Measurement measurement) {
      try (Data one = Data.u32(1); Data epsilonDelta = measurement.map(one)) {
        double[] pair = epsilonDelta.asF64Tuple();
        return new PrivacyCost(pair[0], pair[1]);
      }
    }
  }

  static Noise forDelta(double delta) {
    return delta == 0 ? new Laplace() : new Gaussian(atOrBelowDecimal(delta));
  }

  /**
   * The largest double at or below the decimal that {@code value} reads as. The ledger charges a cost's
   * exact binary value rounded up, and the double 0.1 lies above the decimal 0.1: a query asked at ε 0.1
   * is calibrated to the double just below, so that ten of them fit a budget of 1.
   */
  static double atOrBelowDecimal(double value) {
    boolean above = new BigDecimal(value).compareTo(new BigDecimal(Double.toString(value))) > 0;
    return above ? Math.nextDown(value) : value;
  }

  abstract String name();

  /**
   * The noise of {@code scale} alone, on {@code aggregate}'s output: what {@link #after} chains, for an
   * aggregate computed outside OpenDP (see {@link Aggregates}). Its privacy is read from {@link #after}'s map.
   */
  abstract Measurement alone(Transformation aggregate, double scale, Handles handles);

  /** Chains noise of {@code scale} after {@code aggregate}; intermediate handles go to {@code handles}. */
  abstract Measurement after(Transformation aggregate, double scale, Handles handles);

  abstract PrivacyCost cost(Measurement measurement);

  /** The metric a vector-valued aggregate (a histogram) must report for this noise. */
  String outputMetric() {
    return "L1Distance<i64>";
  }

  /**
   * The smallest noise scale (to 1e-9 relative) at which the measurement costs at most {@code asked}
   * (at most the decimal it reads as: {@link #atOrBelowDecimal}). The privacy map decreases as the scale grows, so bracketing and bisection find it.
   */
  static double calibrate(DoubleFunction<PrivacyCost> costAtScale, double asked) {
    double epsilon = atOrBelowDecimal(asked);
    DoubleUnaryOperator epsilonAt = scale -> {
      try {
        return costAtScale.apply(scale).epsilon();
      } catch (OpenDpException e) {
        // OpenDP refuses to map a scale so small that the loss overflows: that loss is "too large".
        if (e.variant().equals("Overflow")) {
          return Double.POSITIVE_INFINITY;
        }
        throw e;
      }
    };
    double high = 1;
    while (epsilonAt.applyAsDouble(high) > epsilon) {
      high *= 2;
      if (high > 1e300) {
        throw new IllegalStateException("no noise scale reaches ε " + epsilon);
      }
    }
    double low = high / 2;
    while (epsilonAt.applyAsDouble(low) <= epsilon) {
      high = low;
      low /= 2;
      if (low < 1e-300) {
        return high;
      }
    }
    // Invariant: cost(low) > ε >= cost(high).
    while (high - low > high * 1e-9) {
      double middle = low + (high - low) / 2;
      if (epsilonAt.applyAsDouble(middle) <= epsilon) {
        high = middle;
      } else {
        low = middle;
      }
    }
    return high;
  }
}
