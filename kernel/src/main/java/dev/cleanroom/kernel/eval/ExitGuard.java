package dev.cleanroom.kernel.eval;

import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Keeps {@code System.exit} in a cell from ending the kernel silently.
 *
 * <p>Since JDK 21, {@code Runtime.exit} first asks the {@code System.Logger} named
 * {@code java.lang.Runtime} whether DEBUG is loggable and logs the call, before taking any shutdown
 * lock. {@link GuardingLoggerFinder} answers for that logger: when the calling thread belongs to a
 * cell, the cell ends with {@link SystemExitRefusedException} and the calling thread is parked for
 * good (a logger cannot veto the exit any other way: what it throws is ignored). Exits from the
 * kernel's own threads, and from library code outside a cell, proceed as usual; then Jupyter sees the
 * kernel die and restarts it.
 */
public final class ExitGuard {
  /** Cell threads (and threads they start, which inherit the group) and how their cell ends. */
  private static final Map<ThreadGroup, CompletableFuture<Object>> CELLS = new ConcurrentHashMap<>();

  private ExitGuard() {}

  static void watch(Thread cellThread, CompletableFuture<Object> outcome) {
    ThreadGroup group = cellThread.getThreadGroup();
    CELLS.put(group, outcome);
    outcome.whenComplete((value, error) -> CELLS.remove(group, outcome));
  }

  static boolean guards(Thread thread) {
    ThreadGroup group = thread.getThreadGroup();
    return group != null && group.getName().equals(CellExecutionControl.CELL_THREAD_GROUP);
  }

  /** Called on the exiting thread; returns only if the thread is not a cell's. */
  static void exitRequested(String message) {
    Thread thread = Thread.currentThread();
    if (!guards(thread)) {
      return;
    }
    int status = parseStatus(message);
    CompletableFuture<Object> outcome = CELLS.get(thread.getThreadGroup());
    if (outcome != null) {
      outcome.completeExceptionally(new SystemExitRefusedException(status));
    }
    while (true) { // parked for good: returning would let the JVM exit
      LockSupport.park(ExitGuard.class);
    }
  }

  private static int parseStatus(String message) {
    int colon = message == null ? -1 : message.lastIndexOf(':');
    try {
      return colon < 0 ? 0 : Integer.parseInt(message.substring(colon + 1).trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * The {@code System.LoggerFinder} of the kernel JVM (registered in META-INF/services): the
   * {@code java.lang.Runtime} logger guards exits; every other logger writes WARNING and above to
   * the standard error stream, which Jupyter keeps in the server log.
   */
  public static final class GuardingLoggerFinder extends System.LoggerFinder {
    @Override
    public System.Logger getLogger(String name, Module module) {
      return name.equals("java.lang.Runtime") ? new ExitLogger(name) : new StandardErrorLogger(name);
    }
  }

  private record ExitLogger(String name) implements System.Logger {
    @Override
    public String getName() {
      return name;
    }

    @Override
    public boolean isLoggable(Level level) {
      return guards(Thread.currentThread());
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
      exitRequested(msg);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
      exitRequested(format);
    }

    @Override
    public void log(Level level, Supplier<String> msgSupplier, Throwable thrown) {
      exitRequested(msgSupplier.get());
    }
  }

  private record StandardErrorLogger(String name) implements System.Logger {
    @Override
    public String getName() {
      return name;
    }

    @Override
    public boolean isLoggable(Level level) {
      return level.getSeverity() >= Level.WARNING.getSeverity();
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
      if (isLoggable(level)) {
        System.err.println(level + " " + name + ": " + msg + (thrown == null ? "" : " (" + thrown + ")"));
      }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
      if (isLoggable(level)) {
        String text = params == null || params.length == 0 ? format : java.text.MessageFormat.format(format, params);
        System.err.println(level + " " + name + ": " + text);
      }
    }
  }
}
