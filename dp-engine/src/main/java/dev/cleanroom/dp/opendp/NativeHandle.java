package dev.cleanroom.dp.opendp;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongUnaryOperator;

/**
 * Sole owner of one native OpenDP object.
 *
 * <p>Invariant: the native object is freed exactly once, by {@link #close()} or, if the owner forgets,
 * by the {@link Cleaner} once the handle is unreachable. A native call made through {@link #apply} keeps
 * the handle reachable for its whole duration, so the cleaner can never free an object in use.
 */
abstract sealed class NativeHandle implements AutoCloseable
    permits Data, Domain, Metric, Measure, Transformation, Measurement {
  private static final Cleaner CLEANER = Cleaner.create();

  private final Owner owner;
  private final Cleaner.Cleanable cleanable;

  NativeHandle(long pointer, LongConsumer free) {
    if (pointer == 0) {
      throw new IllegalStateException("OpenDP returned no object and no error");
    }
    this.owner = new Owner(pointer, free);
    this.cleanable = CLEANER.register(this, owner);
  }

  /** Runs a native call on this object's pointer, failing clearly if the object was already closed. */
  final long apply(LongUnaryOperator call) {
    try {
      return call.applyAsLong(pointer());
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  final <T> T read(java.util.function.LongFunction<T> call) {
    try {
      return call.apply(pointer());
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  final long pointer() {
    long pointer = owner.pointer.get();
    if (pointer == 0) {
      throw new IllegalStateException(getClass().getSimpleName() + " was already closed");
    }
    return pointer;
  }

  @Override
  public final void close() {
    cleanable.clean();
  }

  /** Holds the pointer apart from the handle so that the cleaner does not keep the handle alive. */
  private static final class Owner implements Runnable {
    private final AtomicLong pointer;
    private final LongConsumer free;

    Owner(long pointer, LongConsumer free) {
      this.pointer = new AtomicLong(pointer);
      this.free = free;
    }

    @Override
    public void run() {
      long p = pointer.getAndSet(0);
      if (p != 0) {
        free.accept(p);
      }
    }
  }
}
