package dev.cleanroom.kernel.eval;

import java.util.Map;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/** Hands JShell our in-process execution engine and keeps hold of it for values and stop. */
final class CellExecutionProvider implements ExecutionControlProvider {
  private volatile CellExecutionControl control;

  @Override
  public String name() {
    return "dcr-cell";
  }

  @Override
  public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
    control = new CellExecutionControl();
    return control;
  }

  CellExecutionControl control() {
    return control;
  }
}
