package dev.cleanroom.tee.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.tee.api.SimulationException;
import dev.cleanroom.tee.command.Command;
import dev.cleanroom.tee.image.OciLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OCI runtime bundle unpacked from an image layout by {@code umoci unpack}: {@code rootfs/} and the
 * {@code config.json} umoci derives from the image's config (entry point, environment, user).
 *
 * <p>Invariant: the root file system is the one the layout's checked digest names: umoci verifies every
 * layer against the manifest while it unpacks.
 */
final class RuntimeBundle {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final ObjectNode config;

  private RuntimeBundle(Path dir, ObjectNode config) {
    this.dir = dir;
    this.config = config;
  }

  /** Unpacks {@code image} into {@code dir} (which must not exist); {@code rootless} when not root. */
  static RuntimeBundle unpack(OciLayout image, Path dir, boolean rootless) throws SimulationException {
    String umoci = Command.find("umoci").map(Path::toString).orElseThrow(() -> new SimulationException("tool_missing",
        "Tried to unpack the image but failed because: umoci is not installed. Install it: apt-get install umoci"
            + " (./dcr test and ./dcr run-local do it when run as root)."));
    List<String> argv = new ArrayList<>(List.of(umoci, "unpack"));
    if (rootless) {
      argv.add("--rootless");
    }
    argv.addAll(List.of("--image", image.dir() + ":" + image.reference(), dir.toString()));
    try {
      Command.of(argv).timeout(Duration.ofMinutes(5)).check();
      return new RuntimeBundle(dir, (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile()));
    } catch (IOException | ClassCastException e) {
      throw new SimulationException("tool_failed", "Tried to unpack the image " + image.digest() + " into " + dir
          + " but failed because: " + e.getMessage(), e);
    }
  }

  Path dir() {
    return dir;
  }

  Path rootfs() {
    return dir.resolve(config.path("root").path("path").asText("rootfs"));
  }

  ObjectNode config() {
    return config;
  }

  /** The image's environment, as umoci wrote it into the runtime config. */
  Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode variable : config.path("process").path("env")) {
      String[] pair = variable.asText().split("=", 2);
      env.put(pair[0], pair.length > 1 ? pair[1] : "");
    }
    return env;
  }

  List<String> arguments() {
    List<String> args = new ArrayList<>();
    config.path("process").path("args").forEach(a -> args.add(a.asText()));
    return args;
  }

  void writeConfig() throws IOException {
    Files.write(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
  }
}
