package dev.cleanroom.kernel.eval;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jshell.execution.LocalExecutionControl;

/**
 * Runs each snippet in the kernel's own JVM, so that the value a cell returns is the real object and
 * can be rendered (a table as HTML, a chart as PNG).
 *
 * <p>Stopping a running cell uses JShell's own mechanism for in-process execution: since JDK 21
 * {@link LocalExecutionControl} weaves a check of {@code REPL.$Cancel$.allStop} into every loaded
 * snippet (at method entry and before each backward branch), so even {@code while (true) {}} ends
 * with a {@code ThreadDeath} once the flag is set. {@code Thread.stop} is gone from JDK 20 on; this
 * needs no agent and no second JVM.
 *
 * <p>We run the snippet on our own thread (not {@code LocalExecutionControl}'s) so that the invoking
 * thread can return when the snippet is parked for good by {@link ExitGuard}: a cell that calls
 * {@code System.exit} must end with an error, not hang the kernel. The first invocation goes through
 * {@code LocalExecutionControl} once, which loads the {@code REPL.$Cancel$} class the woven checks call.
 *
 * <p>Invariant: at most one snippet runs at a time (JShell evaluates sequentially); {@link #stop()}
 * may be called from any thread.
 */
final class CellExecutionControl extends LocalExecutionControl {
  static final String CELL_THREAD_GROUP = "dcr-cell";
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final ThreadGroup cellThreads = new ThreadGroup(CELL_THREAD_GROUP);
  private volatile Field allStop;
  private volatile CompletableFuture<Object> running;
  private volatile Object lastValue;
  private volatile boolean stopped;
  private AtomicBoolean stopRequested = new AtomicBoolean();

  /** The evaluator's stop flag: a snippet about to start when a stop arrived does not start. */
  void stopFlag(AtomicBoolean flag) {
    this.stopRequested = flag;
  }

  @Override
  protected String invoke(Method doitMethod) throws Exception {
    if (allStop == null) {
      String result = super.invoke(doitMethod); // loads REPL.$Cancel$; the warm-up snippet is trivial
      allStop = findClass("REPL.$Cancel$").getDeclaredField("allStop");
      return result;
    }
    allStop.set(null, false);
    stopped = false;
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    running = outcome;
    if (stopRequested.get()) {
      running = null;
      throw new StoppedException();
    }
    Thread cell = new Thread(cellThreads, () -> {
      try {
        outcome.complete(doitMethod.invoke(null));
      } catch (InvocationTargetException e) {
        outcome.completeExceptionally(e.getCause());
      } catch (Throwable e) { // ThreadDeath from the woven stop check lands here
        outcome.completeExceptionally(e);
      }
    }, "dcr-cell-" + THREADS.incrementAndGet());
    cell.setDaemon(true);
    ExitGuard.watch(cell, outcome);
    cell.start();
    try {
      Object value = outcome.get();
      lastValue = value;
      return "";
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (stopped && (isThreadDeath(cause) || cause instanceof InterruptedException)) {
        throw new StoppedException();
      }
      throw new InvocationTargetException(cause);
    } finally {
      running = null;
    }
  }

  @SuppressWarnings("removal")
  private static boolean isThreadDeath(Throwable t) {
    return t instanceof ThreadDeath;
  }

  /** The value the last snippet's wrapper returned (the expression's value), then forgets it. */
  Object takeLastValue() {
    Object value = lastValue;
    lastValue = null;
    return value;
  }

  @Override
  public void stop() {
    CompletableFuture<Object> outcome = running;
    if (outcome == null || allStop == null) {
      return;
    }
    stopped = true;
    try {
      allStop.set(null, true);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("Tried to stop the cell but failed because: " + e.getMessage(), e);
    }
    Thread[] threads = new Thread[cellThreads.activeCount() + 8];
    int count = cellThreads.enumerate(threads);
    for (int i = 0; i < count; i++) {
      threads[i].interrupt();
    }
  }

  /**
   * Ends the wait for a cell whose thread cannot be stopped (it is blocked in native or library code
   * that never reaches a woven check): the cell is reported as stopped and its thread is abandoned.
   */
  void abandonRunningCell() {
    CompletableFuture<Object> outcome = running;
    if (outcome != null) {
      stopped = true;
      outcome.completeExceptionally(new InterruptedException("abandoned"));
    }
  }
}
