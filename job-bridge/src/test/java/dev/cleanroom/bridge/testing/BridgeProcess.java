package dev.cleanroom.bridge.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cleanroom.bridge.BridgeMain;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A job bridge in a JVM of its own ({@link BridgeMain}), to be killed with SIGKILL and started again. */
public final class BridgeProcess {
  private static final Pattern READY = Pattern.compile(Pattern.quote(BridgeMain.READY) + "(\\S+)");
  private static final int SIGKILL_EXIT = 128 + 9;

  private final Process process;
  private final Path dir;
  private final List<String> arguments;
  private final Path out;
  private final Path err;
  private final URI base;

  private BridgeProcess(Process process, Path dir, List<String> arguments, Path out, Path err, URI base) {
    this.process = process;
    this.dir = dir;
    this.arguments = List.copyOf(arguments);
    this.out = out;
    this.err = err;
    this.base = base;
  }

  /** Starts {@code BridgeMain} with the test class path (so {@code --tee test-process} is found) and waits until it serves. */
  public static BridgeProcess start(Path dir, String name, List<String> arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
        "-cp", System.getProperty("java.class.path"), BridgeMain.class.getName(), "--port", "0"));
    command.addAll(arguments);
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && process.isAlive()) {
      Matcher ready = READY.matcher(Files.readString(out));
      if (ready.find()) {
        return new BridgeProcess(process, dir, arguments, out, err, URI.create(ready.group(1)));
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the bridge '" + name + "' did not get ready:\n" + Files.readString(err) + Files.readString(out));
  }

  public URI base() {
    return base;
  }

  /** SIGKILL: no shutdown hook, no close, mid-step and mid-transaction. */
  public void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    assertEquals(SIGKILL_EXIT, process.waitFor(), "exit status of a process killed by SIGKILL");
  }

  /** Kills this bridge with SIGKILL, starts it again on the same arguments as {@code name}, and points {@code client} at it. */
  public BridgeProcess killAndRestart(String name, BridgeClient client) throws Exception {
    kill();
    BridgeProcess restarted = start(dir, name, arguments);
    client.at(restarted.base());
    return restarted;
  }

  /** SIGTERM: the bridge closes itself. */
  public void stop() throws InterruptedException {
    process.destroy();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public String output() throws IOException {
    return Files.readString(out) + Files.readString(err);
  }
}
