package dev.cleanroom.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;

/** A rendered container's options, environment and volumes by name, failing the test when one is missing. */
final class Pods {
  private Pods() {}

  /** The value after {@code flag} in a container's arguments (the last one when repeated). */
  static String option(Container container, String flag) {
    List<String> args = container.getArgs();
    int at = args.lastIndexOf(flag);
    assertTrue(at >= 0 && at + 1 < args.size(), container.getName() + " has no " + flag + ": " + args);
    return args.get(at + 1);
  }

  static EnvVar env(Container container, String name) {
    return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(container.getName() + " has no environment variable " + name));
  }

  static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name + " in " + pod.getVolumes()));
  }
}
