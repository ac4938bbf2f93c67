package dev.cleanroom.kernel.jupyter;

import dev.cleanroom.kernel.NotebookSession;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * The training run of the kernel's start-up cache ({@code -XX:AOTCacheOutput}, JEP 514/515): what a kernel
 * does from its start to its first cells, so that the cache holds those classes loaded and linked and
 * those methods' profiles. Binds the sockets on loopback, starts JShell, runs a few small cells as a
 * notebook's first ones, then ends. Started by the kernelspec's launcher ({@link KernelSpec}).
 */
public final class KernelTraining {
  /** Cells like a notebook's first ones: an expression, output, a declaration, a table. */
  private static final List<String> CELLS = List.of(
      "1 + 1",
      "System.out.println(\"hello\");",
      "int x = 20;\nx + 1",
      "var t = Table.create(\"t\", IntColumn.create(\"a\", 1, 2, 3));\nt",
      "String.join(\", \", List.of(\"a\", \"b\"))");

  private KernelTraining() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    DcrConnection connection = new DcrConnection(KernelConnectionProperties.parse(loopbackConnection()));
    DcrKernel kernel = DcrKernel.create();
    kernel.onStartup();
    kernel.becomeHandlerForConnection(connection);
    connection.connect();
    try (NotebookSession session = NotebookSession.start()) {
      NotebookSession.CellOutputs ignored = new NotebookSession.CellOutputs() {
        @Override
        public void stdout(String text) { }

        @Override
        public void stderr(String text) { }

        @Override
        public void display(DisplayData data) { }

        @Override
        public void updateDisplay(DisplayData data) { }
      };
      for (String cell : CELLS) {
        session.execute(cell, "training", ignored);
        session.complete(cell, cell.length());
      }
    }
    kernel.onShutdown(false);
    connection.close();
    // JShell's and the library's non-daemon threads would keep the training JVM alive; the cache is written at exit.
    System.exit(0);
  }

  /** A connection file's text for free loopback ports (the training's, and tests' kernels). */
  static String loopbackConnection() throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return String.format("{\"transport\": \"tcp\", \"ip\": \"127.0.0.1\", \"shell_port\": %d, \"iopub_port\": %d,"
              + " \"stdin_port\": %d, \"control_port\": %d, \"hb_port\": %d, \"key\": \"training\","
              + " \"signature_scheme\": \"hmac-sha256\"}",
          sockets.get(0).getLocalPort(), sockets.get(1).getLocalPort(), sockets.get(2).getLocalPort(),
          sockets.get(3).getLocalPort(), sockets.get(4).getLocalPort());
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }
}
