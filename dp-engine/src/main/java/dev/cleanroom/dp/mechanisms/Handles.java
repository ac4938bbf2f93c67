package dev.cleanroom.dp.mechanisms;

import java.util.ArrayDeque;
import java.util.Deque;

/** Native handles made while building one query, closed together in reverse order of creation. */
final class Handles implements AutoCloseable {
  private final Deque<AutoCloseable> owned = new ArrayDeque<>();

  <T extends AutoCloseable> T add(T handle) {
    owned.push(handle);
    return handle;
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    while (!owned.isEmpty()) {
      try {
        owned.pop().close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("Tried to free a native OpenDP object but failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
