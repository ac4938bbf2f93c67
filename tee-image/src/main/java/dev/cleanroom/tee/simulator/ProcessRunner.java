package dev.cleanroom.tee.simulator;

import dev.cleanroom.attestation.simulator.SimulatedWorkload;
import dev.cleanroom.tee.api.JobConfig;
import dev.cleanroom.tee.api.SimulationException;
import dev.cleanroom.tee.command.Command;
import dev.cleanroom.tee.image.OciLayout;
import dev.cleanroom.tee.launcher.LauncherPaths;
import dev.cleanroom.tee.layout.ImageLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The simulator's plain-process run, only when the caller asks for it (where runc cannot run: not root; never a
 * silent fallback): the image's own JRE, jars and notebook, unpacked without root, run as a plain process on the
 * host with the paths passed as arguments. The launcher is then not pid 1 of its own namespace, so the notebook
 * runs as the launcher's user.
 *
 * <p>Invariant: no isolation whatsoever — the notebook could read and write anything the user can, and
 * reach the network — so its tokens say {@code CLEANROOM_SIMULATED_PROCESS}, which {@code dcr verify}
 * refuses unless asked ({@code --allow-hwmodel}).
 */
final class ProcessRunner implements ContainerRunner {
  private RuntimeBundle bundle;
  private Map<String, String> environment;
  private List<String> command;

  @Override
  public SimulatedWorkload.Isolation isolation() {
    return SimulatedWorkload.Isolation.PROCESS;
  }

  @Override
  public Container prepare(OciLayout image, Path work, JobConfig job, Path inputDir, Path jobDir, Path socketDir)
      throws SimulationException {
    bundle = RuntimeBundle.unpack(image, work.resolve("bundle"), !Command.isRoot());
    Path rootfs = bundle.rootfs().toAbsolutePath();
    try {
      Path home = Files.createDirectories(work.resolve("home"));
      environment = ContainerRunner.environment(bundle.environment(), job);
      environment.put("HOME", home.toString());
      // The image's JVM options name /app/lib; here the jars are under the unpacked root.
      String jvmArgs = Files.readString(rootfs.resolve(ImageLayout.JVM_ARGS.substring(1)), StandardCharsets.UTF_8)
          .replace(ImageLayout.APP_LIB + "/", rootfs + ImageLayout.APP_LIB + "/");
      Path hostJvmArgs = work.resolve("jvm.args");
      Files.writeString(hostJvmArgs, jvmArgs, StandardCharsets.UTF_8);
      LauncherPaths paths = new LauncherPaths(rootfs.resolve(ImageLayout.NOTEBOOK.substring(1)), inputDir, jobDir,
          socketDir.resolve("teeserver.sock"), work.resolve("scratch"));
      command = new ArrayList<>(List.of(rootfs.resolve(ImageLayout.JAVA.substring(1)).toString(), "@" + hostJvmArgs,
          ImageLayout.LAUNCHER_MAIN));
      command.addAll(paths.arguments());
    } catch (IOException e) {
      throw new SimulationException("tool_failed", "Tried to set up the plain-process run but failed because: "
          + e.getMessage(), e);
    }
    return new Container(environment, command);
  }

  @Override
  public int run(Consumer<String> log, Duration timeout) throws SimulationException {
    Command launcher = Command.of(command).withoutInheritedEnvironment().timeout(timeout).onLine(log);
    environment.forEach(launcher::env);
    try {
      return launcher.run().status();
    } catch (IOException e) {
      throw new SimulationException("launcher_failed", "Tried to run the launcher as a plain process but failed"
          + " because: " + e.getMessage(), e);
    }
  }
}
