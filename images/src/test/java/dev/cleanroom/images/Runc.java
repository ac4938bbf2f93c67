package dev.cleanroom.images;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cleanroom.tee.command.Command;
import dev.cleanroom.tee.image.OciLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs an image from its OCI layout as a container, the way the local TEE simulator does: umoci unpacks it into a
 * runtime bundle (the image's entry point, environment and user), runc runs it in its own namespaces with no
 * network. Skipped unless this is root with runc and umoci ({@code ./dcr test} installs them).
 */
final class Runc {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Runc() {}

  /** Runs the image with {@code args} after its entry point, or with {@code command} instead of it when given. */
  static Command.Result run(Path layout, Path work, List<String> command) throws Exception {
    return run(layout, work, command, Map.of());
  }

  /** As {@link #run(Path, Path, List)}, with {@code files} (path in the container, without the leading '/') added, readable by all. */
  static Command.Result run(Path layout, Path work, List<String> command, Map<String, Path> files) throws Exception {
    assumeTrue(Command.isRoot() && Command.find("runc").isPresent() && Command.find("umoci").isPresent(),
        "running an image needs root, runc and umoci (./dcr test installs them as root)");
    OciLayout image = OciLayout.read(layout);
    Path bundle = work.resolve("bundle");
    Command.of("umoci", "unpack", "--image", layout + ":" + image.reference(), bundle.toString())
        .timeout(Duration.ofMinutes(5)).check();
    ObjectNode config = (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
    ObjectNode process = (ObjectNode) config.get("process");
    process.put("terminal", false);
    if (!command.isEmpty()) {
      ArrayNode args = process.putArray("args");
      command.forEach(args::add);
    }
    JSON.writeValue(bundle.resolve("config.json").toFile(), config);
    for (Map.Entry<String, Path> file : files.entrySet()) {
      Path target = bundle.resolve("rootfs").resolve(file.getKey());
      Files.copy(file.getValue(), target);
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
    }
    String id = "dcr-images-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    try {
      return Command.of("runc", "run", "--bundle", bundle.toString(), id).timeout(Duration.ofMinutes(2)).run();
    } finally {
      Command.of("runc", "delete", "--force", id).run();
    }
  }
}
