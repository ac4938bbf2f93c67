package dev.cleanroom.bridge.testing;

import dev.cleanroom.attestation.simulator.OidcServer;
import dev.cleanroom.attestation.simulator.SimulatorKeys;
import dev.cleanroom.bridge.backend.DataGrants;
import dev.cleanroom.bridge.backend.PlatformIdentity;
import dev.cleanroom.bridge.backend.ImageBuild;
import dev.cleanroom.bridge.backend.JobObjects;
import dev.cleanroom.bridge.backend.LocalStorage;
import dev.cleanroom.bridge.backend.TeeBackend;
import dev.cleanroom.bridge.backend.TeePlatform;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TEE platform in this JVM for tests: the fake image build, runs on threads that write a simulated job folder
 * ({@link FakeWorkload}), and the simulator's issuer with its OIDC discovery on loopback. Runs can be held (to
 * look at a RUNNING job), made to misbehave, or lost.
 */
public final class FakePlatform implements TeePlatform {
  private final FakeImageBuild images;
  private final LocalStorage storage;
  private final SimulatorKeys keys = SimulatorKeys.ephemeral();
  private final OidcServer issuer;
  private final Map<String, RunRecord> runs = new ConcurrentHashMap<>();
  private final AtomicInteger launches = new AtomicInteger();
  private final AtomicInteger stops = new AtomicInteger();
  private volatile CountDownLatch hold = new CountDownLatch(0);
  private volatile FakeWorkload.Behaviour behaviour = FakeWorkload.Behaviour.SUCCEED;
  private volatile boolean grantsWithheld;
  private final Set<String> granted = ConcurrentHashMap.newKeySet();
  private final List<String> revoked = new CopyOnWriteArrayList<>();
  private final AtomicInteger grantChecks = new AtomicInteger();

  private static final class RunRecord {
    final Thread thread;
    volatile TeeBackend.RunState state = TeeBackend.RunState.RUNNING;
    volatile boolean stopped;

    RunRecord(Thread thread) {
      this.thread = thread;
    }
  }

  private FakePlatform(Path workDir, LocalStorage storage) throws IOException {
    this.images = new FakeImageBuild(workDir.resolve("images"));
    this.storage = storage;
    this.issuer = OidcServer.start(keys, 0);
  }

  public static FakePlatform start(Path workDir, LocalStorage storage) throws IOException {
    return new FakePlatform(workDir, storage);
  }

  @Override
  public ImageBuild images() {
    return images;
  }

  /** The simulator's signing keys, for tests that sign what only this deployment's TEE could. */
  public SimulatorKeys simulatorKeys() {
    return keys;
  }

  public FakeImageBuild imageBuild() {
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
    return PlatformIdentity.simulator("test-fake", List.of(images.folder().toString()), keys.archive(java.time.Instant.now()));
  }

  /** Runs started from now on wait (RUNNING) until {@link #releaseRuns()}. */
  public void holdRuns() {
    hold = new CountDownLatch(1);
  }

  public void releaseRuns() {
    hold.countDown();
  }

  public void behaviour(FakeWorkload.Behaviour value) {
    behaviour = value;
  }

  /** The run of {@code jobId} disappears without a result, as a deleted VM would. */
  public void lose(String jobId) {
    RunRecord run = runs.get(jobId);
    run.stopped = true;
    run.thread.interrupt();
    run.state = TeeBackend.RunState.LOST;
  }

  /**
   * From now on a job's image may read its datasets only once {@link #grant} was called for its digest and
   * dataset, as a provider grants it on Confidential Space.
   */
  public void withholdGrants() {
    grantsWithheld = true;
  }

  public void grant(String imageDigest, String dataset) {
    granted.add(imageDigest + " " + dataset);
  }

  /** Jobs whose grants were revoked, in order. */
  public List<String> revoked() {
    return List.copyOf(revoked);
  }

  public int grantChecks() {
    return grantChecks.get();
  }

  @Override
  public DataGrants grants() {
    return new DataGrants() {
      @Override
      public Status check(Request request) {
        grantChecks.incrementAndGet();
        return new Status(request.datasets().stream().filter(d -> grantsWithheld && !granted.contains(request.imageDigest() + " " + d))
            .map(d -> "grant image " + request.imageDigest() + " the rows of " + d).toList());
      }

      @Override
      public List<String> revoke(Request request) {
        request.datasets().forEach(d -> granted.remove(request.imageDigest() + " " + d));
        revoked.add(request.jobId());
        return List.of();
      }
    };
  }

  /** Containers started (a launch that found its run counts once). */
  public int launches() {
    return launches.get();
  }

  public int stops() {
    return stops.get();
  }

  /** Runs that hold resources now (started and neither stopped nor lost). */
  public long live() {
    return runs.values().stream().filter(r -> !r.stopped).count();
  }

  private final TeeBackend tee = new TeeBackend() {
    @Override
    public Run launch(LaunchRequest request) {
      RunRecord existing = runs.get(request.jobId());
      if (existing != null && existing.state != RunState.LOST) {
        return new Run(request.jobId(), "fake-container-" + request.jobId());
      }
      launches.incrementAndGet();
      CountDownLatch held = hold;
      FakeWorkload.Behaviour chosen = behaviour;
      RunRecord[] record = new RunRecord[1];
      Thread thread = Thread.ofPlatform().daemon().unstarted(() -> {
        try {
          held.await();
          Path folder = storage.file(JobObjects.result(request.jobId()).replaceAll("/$", ""));
          FakeWorkload.run(Path.of(request.imageReference()), folder, request.environment(), request.imageDigest(), keys,
              Clock.systemUTC(), Duration.ZERO, chosen, java.util.Optional.empty());
          record[0].state = RunState.EXITED;
        } catch (InterruptedException e) {
          // stopped or lost
        } catch (IOException e) {
          record[0].state = RunState.LOST;
        }
      });
      record[0] = new RunRecord(thread);
      runs.put(request.jobId(), record[0]);
      thread.start();
      return new Run(request.jobId(), "fake-container-" + request.jobId());
    }

    @Override
    public RunState state(String jobId) {
      RunRecord run = runs.get(jobId);
      return run == null ? RunState.LOST : run.state;
    }

    @Override
    public void stop(String jobId) {
      stops.incrementAndGet();
      RunRecord run = runs.get(jobId);
      if (run != null && !run.stopped) {
        run.stopped = true;
        run.thread.interrupt();
      }
    }
  };

  @Override
  public TeeBackend tee() {
    return tee;
  }

  @Override
  public void close() {
    runs.values().forEach(r -> r.thread.interrupt());
    issuer.close();
  }
}
