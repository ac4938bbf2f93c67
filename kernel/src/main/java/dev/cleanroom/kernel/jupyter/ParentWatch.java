package dev.cleanroom.kernel.jupyter;

import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Ends the kernel when the process that started it goes away: Jupyter's parent-poller convention, as
 * ipykernel keeps it. Without it a kernel whose server died (killed, or stopped before it could shut
 * its kernels down) lives on with parent 1 until someone finds it.
 *
 * <p>The server is the kernel's parent at start; jupyter_client also names itself in {@code JPY_PARENT_PID}.
 * The parent is gone when this process is re-parented (its parent pid changes, as it does the moment
 * the parent exits, zombie or not), or when the {@code JPY_PARENT_PID} process has ended (when the
 * kernel was started through a wrapper, that process is not the direct parent). Checked once a second,
 * as ipykernel does.
 */
final class ParentWatch {
  private static final long POLL_MILLIS = 1_000;

  private final long parentAtStart;
  private final Optional<ProcessHandle> jupyterParent;

  private ParentWatch(long parentAtStart, Optional<ProcessHandle> jupyterParent) {
    this.parentAtStart = parentAtStart;
    this.jupyterParent = jupyterParent;
  }

  /** The watch of this process's parent and of the {@code JPY_PARENT_PID} in {@code env}, if that names a live process. */
  static ParentWatch of(Map<String, String> env) {
    long parent = currentParent();
    Optional<ProcessHandle> named = Optional.empty();
    String value = env.get("JPY_PARENT_PID");
    if (value != null && !value.isBlank()) {
      try {
        long pid = Long.parseLong(value.strip());
        if (pid != parent && pid > 1) {
          named = ProcessHandle.of(pid);
        }
      } catch (NumberFormatException e) {
        // Not a pid (on Windows jupyter_client passes a handle there): the direct parent is watched alone.
      }
    }
    return new ParentWatch(parent, named);
  }

  private static long currentParent() {
    return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
  }

  /** Why the kernel should end, if its parent has gone. */
  Optional<String> parentGone() {
    long now = currentParent();
    if (now != parentAtStart) {
      return Optional.of("its parent process " + parentAtStart + " has gone");
    }
    if (jupyterParent.isPresent() && !jupyterParent.get().isAlive()) {
      return Optional.of("the Jupyter process " + jupyterParent.get().pid() + " that started it (JPY_PARENT_PID) has gone");
    }
    return Optional.empty();
  }

  /**
   * Checks on a daemon thread and runs {@code onGone} with the reason once the parent has gone. A kernel
   * started by init itself (parent 1 at start, nothing named) has no parent to lose and is not watched.
   */
  void start(Consumer<String> onGone) {
    if (parentAtStart <= 1 && jupyterParent.isEmpty()) {
      return;
    }
    Thread thread = new Thread(() -> {
      while (true) {
        Optional<String> gone = parentGone();
        if (gone.isPresent()) {
          onGone.accept(gone.get());
          return;
        }
        try {
          Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "dcr-parent-watch");
    thread.setDaemon(true);
    thread.start();
  }
}
