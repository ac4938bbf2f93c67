package dev.cleanroom.bridge.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.cleanroom.bridge.BridgeException;
import dev.cleanroom.bridge.auth.Caller;
import dev.cleanroom.bridge.auth.Role;
import dev.cleanroom.bridge.backend.LocalStorage;
import dev.cleanroom.bridge.job.JobState;
import dev.cleanroom.bridge.libraries.JobLibraries;
import dev.cleanroom.bridge.report.JobReports;
import dev.cleanroom.bridge.store.JobStore;
import dev.cleanroom.bridge.testing.BridgeFixture;
import dev.cleanroom.bridge.testing.Notebooks;
import dev.cleanroom.service.sql.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The service API without HTTP: results and refusals travel in the Future, refusals with their code. */
@ExtendWith(VertxExtension.class)
class JobServiceTest {
  private static final Caller ALICE = Caller.of("alice", Role.SCIENTIST);
  private static final Caller BOB = Caller.of("bob", Role.SCIENTIST);
  private static final Caller PAT = Caller.of("pat", Role.PROVIDER);

  @TempDir Path dir;
  private JobStore store;
  private JobService service;
  private final AtomicInteger wakes = new AtomicInteger();

  @BeforeEach
  void create(Vertx vertx) throws Exception {
    store = JobStore.open(TestDatabase.SQLITE.newUrl(dir), Clock.systemUTC());
    LocalStorage storage = LocalStorage.at(dir.resolve("storage"));
    service = JobService.create(vertx, store, storage, BridgeFixture.datasets(dir),
        JobReports.create(storage, dir.resolve("cache"), URI.create("http://127.0.0.1:1/"), true, java.util.Set.of(),
            new dev.cleanroom.attestation.trust.DeploymentTrust("test", "aud", "p", "0", List.of("sa@p.invalid"),
                List.of("images"), List.of(), new java.util.TreeMap<>(), java.util.Optional.empty()),
            Clock.systemUTC()),
        Limits.DEFAULT, wakes::incrementAndGet, new JobLibraries(dir.resolve("maven").toUri(), dir.resolve("jars")));
  }

  @AfterEach
  void close() {
    store.close(); // Vert.x, and with it the service's workers, is closed by the extension
  }

  private static void refusedWith(VertxTestContext test, Checkpoint refused, Throwable failure, int status, String code) {
    test.verify(() -> {
      BridgeException refusal = assertInstanceOf(BridgeException.class, failure);
      assertEquals(code, refusal.code(), refusal.getMessage());
      assertEquals(status, refusal.httpStatus());
      refused.flag();
    });
  }

  @Test
  void aSubmittedJobWaitsForItsProvider_andWakesTheReconciler(VertxTestContext test) {
    Checkpoint stored = test.checkpoint();
    service.submit(ALICE, new Submission("regression.ipynb", List.of("insurance"), Notebooks.regression()))
        .onComplete(test.succeeding(job -> test.verify(() -> {
          assertEquals(JobState.SUBMITTED, job.state());
          assertEquals(List.of("pat"), List.copyOf(job.approvalsPending()));
          assertEquals(1, wakes.get());
          stored.flag();
        })));
  }

  @Test
  void refusalsCarryTheirCode(VertxTestContext test) {
    Checkpoint refused = test.checkpoint(3);
    service.submit(PAT, new Submission("x.ipynb", List.of("insurance"), Notebooks.regression()))
        .onComplete(test.failing(e -> refusedWith(test, refused, e, 403, "not_permitted")));
    service.submit(ALICE, new Submission("x.ipynb", List.of("insurance"), "{}".getBytes()))
        .onComplete(test.failing(e -> refusedWith(test, refused, e, 400, "invalid_notebook")));
    service.submit(ALICE, new Submission("x.ipynb", List.of("insurance"), Notebooks.regression()))
        .compose(job -> service.get(BOB, job.id()))
        .onComplete(test.failing(e -> refusedWith(test, refused, e, 404, "unknown_job")));
  }

  @Test
  void aProvidersApprovalMovesTheJob(VertxTestContext test) {
    Checkpoint approved = test.checkpoint();
    service.submit(ALICE, new Submission("x.ipynb", List.of("insurance"), Notebooks.regression()))
        .compose(job -> service.approve(PAT, job.id(), "fine"))
        .onComplete(test.succeeding(job -> test.verify(() -> {
          assertEquals(JobState.APPROVED, job.state());
          assertEquals(2, wakes.get());
          approved.flag();
        })));
  }
}
