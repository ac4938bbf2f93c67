package dev.cleanroom.kernel.jupyter;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.publish.PublishStatus;
import org.zeromq.ZMQ;

/**
 * The library's connection with {@link BlockingShellChannel}s for shell and control; heartbeat,
 * stdin and iopub are the library's own.
 */
final class DcrConnection extends JupyterConnection {
  private final KernelConnectionProperties properties;
  private final ZMQ.Context context = ZMQ.context(1);
  private final BlockingShellChannel shellChannel;
  private final BlockingShellChannel controlChannel;
  private volatile boolean closed;

  DcrConnection(KernelConnectionProperties properties) throws NoSuchAlgorithmException, InvalidKeyException {
    super(properties);
    this.properties = properties;
    this.shellChannel = new BlockingShellChannel(context, properties.createHMACGenerator(), false, this);
    this.controlChannel = new BlockingShellChannel(context, properties.createHMACGenerator(), true, this);
  }

  @Override
  public void connect() {
    heartbeat.bind(properties);
    shellChannel.bind(properties);
    controlChannel.bind(properties);
    stdin.bind(properties);
    iopub.bind(properties);
    iopub.sendMessage(new Message<>(null, PublishStatus.MESSAGE_TYPE, PublishStatus.STARTING));
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    shellChannel.close();
    controlChannel.close();
    super.close();
    context.close();
  }

  @Override
  public void waitUntilClose() {
    shellChannel.waitUntilClose();
    controlChannel.waitUntilClose();
    heartbeat.waitUntilClose();
  }
}
