package dev.cleanroom.tee.launcher;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The notebook's own user: the notebook's JVM starts as the launcher's (root in the image) and, before any
 * notebook code runs, becomes this user for good (supplementary groups cleared, then group, then user; the kernel
 * drops every capability with the last step). With another user than the launcher's the notebook cannot connect
 * to the launcher's token socket, read the launcher's {@code /proc} entries (its environment holds, on Confidential
 * Space, the job plan's signed URLs) or signal it.
 *
 * <p>The calls go to the C library through the JDK's foreign function API, reached by reflection: it is final
 * from Java 22, the image's JRE is newer, and the project compiles for Java 21.
 *
 * @param uid and {@code gid}: the notebook's user and group (nobody in the image)
 */
record NotebookUser(int uid, int gid) {
  private static final int SIGKILL = 9;

  /** The user as an argument of {@link NotebookProcess}: {@code uid:gid}. */
  String argument() {
    return uid + ":" + gid;
  }

  static NotebookUser parse(String argument) {
    String[] parts = argument.split(":", 2);
    return new NotebookUser(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
  }

  /** The user this process runs as, from the owner of {@code /proc/self}. */
  static int currentUid() throws IOException {
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
  }

  /**
   * Makes this whole process (every thread: the C library changes them all) this user, and checks that the kernel
   * agrees: real, effective, saved and file-system ids, no supplementary group, no capability left.
   */
  void become() throws IOException {
    require(call("setgroups", List.of("JAVA_LONG", "ADDRESS"), 0L, constant("MemorySegment", "NULL")), "setgroups");
    require(call("setgid", List.of("JAVA_INT"), gid), "setgid");
    require(call("setuid", List.of("JAVA_INT"), uid), "setuid");
    Map<String, String> status = new HashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      String[] pair = line.split(":", 2);
      status.put(pair[0], pair.length > 1 ? pair[1].strip().replaceAll("\\s+", " ") : "");
    }
    String ids = (uid + " ").repeat(4).strip();
    String groupIds = (gid + " ").repeat(4).strip();
    String none = "0".repeat(16);
    if (!ids.equals(status.get("Uid")) || !groupIds.equals(status.get("Gid")) || !"".equals(status.get("Groups"))
        || !none.equals(status.get("CapEff")) || !none.equals(status.get("CapPrm"))) {
      throw new IOException("the process is not user " + argument() + " without groups and capabilities after the switch");
    }
  }

  /**
   * Ends every other process of this user that this process may signal ({@code kill(-1, SIGKILL)}): in the image's
   * pid namespace, everything the notebook started. Only for a process that has {@link #become} the notebook's user
   * in its own container: elsewhere the same call would end the user's other processes on the host.
   */
  static void endEveryOtherProcessOfThisUser() throws IOException {
    // The answer is -1 (ESRCH) when there was no other process; either way none is left running.
    call("kill", List.of("JAVA_INT", "JAVA_INT"), -1, SIGKILL);
  }

  private static void require(int result, String function) throws IOException {
    if (result != 0) {
      throw new IOException(function + " failed");
    }
  }

  private static int call(String function, List<String> argumentLayouts, Object... arguments) throws IOException {
    try {
      Class<?> linkerClass = foreign("Linker");
      Class<?> layoutClass = foreign("MemoryLayout");
      Class<?> descriptorClass = foreign("FunctionDescriptor");
      Class<?> optionClass = foreign("Linker$Option");
      Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
      Object libc = linkerClass.getMethod("defaultLookup").invoke(linker);
      Object symbol = ((Optional<?>) foreign("SymbolLookup").getMethod("find", String.class).invoke(libc, function))
          .orElseThrow(() -> new IOException("the C library has no " + function));
      Object layouts = Array.newInstance(layoutClass, argumentLayouts.size());
      for (int i = 0; i < argumentLayouts.size(); i++) {
        Array.set(layouts, i, constant("ValueLayout", argumentLayouts.get(i)));
      }
      Object descriptor = descriptorClass.getMethod("of", layoutClass, layouts.getClass())
          .invoke(null, constant("ValueLayout", "JAVA_INT"), layouts);
      MethodHandle handle = (MethodHandle) linkerClass.getMethod("downcallHandle", foreign("MemorySegment"), descriptorClass,
          optionClass.arrayType()).invoke(linker, symbol, descriptor, Array.newInstance(optionClass, 0));
      return (Integer) handle.invokeWithArguments(arguments);
    } catch (IOException e) {
      throw e;
    } catch (Throwable e) {
      throw new IOException("calling " + function + " through the foreign function API failed: " + e, e);
    }
  }

  private static Object constant(String className, String field) throws IOException {
    try {
      return foreign(className).getField(field).get(null);
    } catch (ReflectiveOperationException e) {
      throw new IOException("the foreign function API has no " + className + "." + field, e);
    }
  }

  private static Class<?> foreign(String name) throws ClassNotFoundException {
    return Class.forName("java.lang.foreign." + name);
  }
}
