package dev.cleanroom.bridge.store;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The stored form of a time: microseconds since the epoch, the precision both databases keep. */
final class Times {
  private Times() {}

  static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  static Instant instant(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }
}
