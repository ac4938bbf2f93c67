package dev.cleanroom.bridge.testing;

import dev.cleanroom.attestation.simulator.OidcServer;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import dev.cleanroom.bridge.backend.PlatformIdentity;
import dev.cleanroom.bridge.backend.ImageBuild;
import dev.cleanroom.bridge.backend.JobObjects;
import dev.cleanroom.bridge.backend.LocalStorage;
import dev.cleanroom.bridge.backend.TeeBackend;
import dev.cleanroom.bridge.backend.TeePlatform;
import dev.cleanroom.bridge.backend.TeePlatformProvider;
import dev.cleanroom.bridge.local.DetachedRuns;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A TEE platform whose runs are separate processes ({@link FakeWorkload} in a JVM of their own, started through
 * {@link DetachedRuns}), so they outlive a bridge killed with SIGKILL, as runc containers do. Its simulator keys
 * are in a file, shared by the bridge (which publishes them) and the workloads (which sign with them).
 *
 * <p>{@code --tee test-process}, with {@code --tee-option build-millis=N} (how long a build takes),
 * {@code per-file-millis=N} (the pause between the files a run writes) and {@code behaviour=SUCCEED|...}.
 * Every start of a workload appends its job id to {@code <work>/tee/starts.log}.
 */
public final class ProcessTeePlatform implements TeePlatform {
  public static final String NAME = "test-process";

  private final FakeImageBuild images;
  private final DetachedRuns runs;
  private final LocalStorage storage;
  private final Path keys;
  private final OidcServer issuer;
  private final SimulatorKeys signingKeys;
  private final Path startsLog;
  private final long perFileMillis;
  private final String behaviour;
  private final boolean gated;

  private ProcessTeePlatform(TeePlatformProvider.Settings settings) throws IOException {
    Path work = Files.createDirectories(settings.workDir());
    this.images = new FakeImageBuild(work.resolve("images"));
    images.takes(Duration.ofMillis(Long.parseLong(settings.option("build-millis").orElse("0"))));
    this.runs = new DetachedRuns(work.resolve("runs"), Clock.systemUTC());
    this.storage = (LocalStorage) settings.storage();
    this.keys = work.resolve("simulator-keys.json");
    this.signingKeys = SimulatorKeys.loadOrCreate(keys);
    this.issuer = OidcServer.start(signingKeys, 0);
    this.startsLog = work.resolve("starts.log");
    this.perFileMillis = Long.parseLong(settings.option("per-file-millis").orElse("0"));
    this.behaviour = settings.option("behaviour").orElse(FakeWorkload.Behaviour.SUCCEED.name());
    this.gated = settings.option("gated").map(Boolean::parseBoolean).orElse(false);
  }

  /** Registered in META-INF/services for {@code --tee test-process}. */
  public static final class Provider implements TeePlatformProvider {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public TeePlatform create(Settings settings) throws IOException {
      return new ProcessTeePlatform(settings);
    }
  }

  @Override
  public ImageBuild images() {
    return images;
  }

  @Override
  public URI issuerDiscovery() {
    return issuer.discoveryUrl();
  }

  @Override
  public boolean simulated() {
    return true;
  }

  /** A simulated deployment whose images are the fake build's folders. */
  @Override
  public PlatformIdentity identity() {
    return PlatformIdentity.simulator("test-process", List.of(images.folder().toString()),
        signingKeys.archive(java.time.Instant.now()));
  }

  private final TeeBackend tee = new TeeBackend() {
    @Override
    public Run launch(LaunchRequest request) throws IOException {
      Path folder = storage.file(JobObjects.result(request.jobId()).replaceAll("/$", ""));
      Files.createDirectories(folder);
      String java = ProcessHandle.current().info().command().orElseThrow();
      Path gate = runs.folder(request.jobId());
      List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
          FakeWorkload.class.getName(), request.imageReference(), folder.toString(), gate.resolve("env").toString(),
          keys.toString(), request.imageDigest(), Long.toString(perFileMillis), behaviour, startsLog.toString()));
      if (gated) {
        command.add(gate.toString());
      }
      Path run = runs.start(request.jobId(), command, Map.of(), dir -> Files.writeString(dir.resolve("env"),
          request.environment().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n"))));
      return new Run(request.jobId(), "process " + run.getFileName());
    }

    @Override
    public RunState state(String jobId) {
      return runs.state(jobId);
    }

    @Override
    public void stop(String jobId) {
      runs.stop(jobId);
    }
  };

  /** Where a run of {@code --tee-option gated=true} waits for {@link FakeWorkload#RELEASE_RUN} and {@link FakeWorkload#RELEASE_UPLOAD}. */
  public static Path runFolder(Path workDir, String jobId) {
    return workDir.resolve("tee/runs").resolve(jobId);
  }

  @Override
  public TeeBackend tee() {
    return tee;
  }

  @Override
  public void close() {
    issuer.close();
  }
}
