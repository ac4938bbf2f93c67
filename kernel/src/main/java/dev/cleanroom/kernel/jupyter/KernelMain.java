package dev.cleanroom.kernel.jupyter;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;

/** Starts the dcr-java kernel on the connection file Jupyter passes: {@code KernelMain <connection.json>}. */
public final class KernelMain {
  private KernelMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: KernelMain <connection-file>   (Jupyter starts the kernel through the dcr-java kernelspec)");
      System.exit(2);
    }
    System.setProperty("java.awt.headless", "true");
    // Captured now: while a cell runs, System.err is the cell's output, and this line is for the server log.
    PrintStream log = System.err;
    ParentWatch.of(System.getenv()).start(reason -> {
      log.println("dcr-java kernel: shutting down because " + reason + " (Jupyter's parent-poller convention)");
      // At once, as ipykernel does: no client is left to answer, and a running cell must not hold the exit up.
      Runtime.getRuntime().halt(1);
    });
    KernelConnectionProperties properties = KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
    DcrConnection connection = new DcrConnection(properties);
    DcrKernel kernel = DcrKernel.create();
    kernel.onStartup();
    kernel.becomeHandlerForConnection(connection);
    connection.connect();
    connection.waitUntilClose();
    // Cell threads that never ended (abandoned after an interrupt) must not keep the process alive.
    System.exit(0);
  }
}
