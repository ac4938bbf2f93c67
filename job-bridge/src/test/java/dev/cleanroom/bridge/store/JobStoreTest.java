package dev.cleanroom.bridge.store;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.bridge.BridgeException;
import dev.cleanroom.bridge.job.Decision;
import dev.cleanroom.bridge.job.Job;
import dev.cleanroom.bridge.job.JobDataset;
import dev.cleanroom.bridge.job.JobEvent;
import dev.cleanroom.bridge.job.JobId;
import dev.cleanroom.bridge.job.JobState;
import dev.cleanroom.service.sql.OnBothDatabases;
import dev.cleanroom.service.sql.TestDatabase;
import dev.cleanroom.service.testing.MutableClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class JobStoreTest {
  private static final Instant NOON = Instant.parse("2026-03-01T12:00:00Z");
  private static final JobDataset INSURANCE = new JobDataset("insurance", "pat", true);
  private static final JobDataset CLAIMS = new JobDataset("claims", "quinn", true);
  private static final JobDataset OPEN_DATA = new JobDataset("open-data", "pat", false);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(NOON);
  private final List<JobStore> opened = new ArrayList<>();

  @AfterEach
  void close() {
    opened.forEach(JobStore::close);
  }

  private JobStore open(String url) {
    JobStore store = JobStore.open(url, clock);
    opened.add(store);
    return store;
  }

  private JobStore newStore(TestDatabase database) {
    return open(database.newUrl(dir));
  }

  private static NewJob job(String owner, JobDataset... datasets) {
    return new NewJob(JobId.generate(), owner, "regression.ipynb", List.of(datasets), "ab".repeat(32), 1234,
        Duration.ofMinutes(30));
  }

  /** Moves a job along the reconciler's path to {@code target}. */
  private static Job driveTo(JobStore store, Job job, JobState target) {
    JobState[] path = {JobState.APPROVED, JobState.BUILDING, JobState.BUILT, JobState.LAUNCHING, JobState.RUNNING,
        JobState.FINISHED};
    Job current = job;
    for (JobState next : path) {
      if (current.state() == target) {
        break;
      }
      if (next == JobState.APPROVED) {
        for (String provider : current.providers()) {
          current = store.decide(current.id(), Decision.Kind.APPROVE, provider, "");
        }
        continue;
      }
      current = store.transition(current.id(), current.state(), next, "", JobUpdate.none()).orElseThrow();
    }
    assertEquals(target, current.state());
    return current;
  }

  private static void refused(String code, org.junit.jupiter.api.function.Executable action) {
    BridgeException e = assertThrows(BridgeException.class, action);
    assertEquals(code, e.code(), e.getMessage());
  }

  @OnBothDatabases
  void submit_storesTheJobWaitingForItsProviders(TestDatabase database) {
    JobStore store = newStore(database);
    NewJob submitted = job("alice", INSURANCE, CLAIMS);

    Job job = store.submit(submitted, 5);

    assertAll(
        () -> assertEquals(JobState.SUBMITTED, job.state()),
        () -> assertEquals("alice", job.owner()),
        () -> assertEquals(List.of(INSURANCE, CLAIMS), job.datasets()),
        () -> assertEquals(List.of("pat", "quinn"), List.copyOf(job.approvalsPending())),
        () -> assertEquals(NOON, job.submittedAt()),
        () -> assertEquals(Duration.ofMinutes(30), job.timeout()),
        () -> assertEquals(Optional.of(job), store.find(submitted.id())),
        () -> assertEquals(List.of(Optional.of(JobState.SUBMITTED)),
            store.events(job.id()).stream().map(JobEvent::to).toList()));
  }

  @OnBothDatabases
  void submit_beyondTheOwnersJobsInFlight_isRefusedAndStoresNothing(TestDatabase database) {
    JobStore store = newStore(database);
    Job first = store.submit(job("alice", INSURANCE), 2);
    store.submit(job("alice", INSURANCE), 2);
    NewJob third = job("alice", INSURANCE);

    refused("too_many_jobs", () -> store.submit(third, 2));

    assertEquals(Optional.empty(), store.find(third.id()));
    store.submit(job("bob", INSURANCE), 2); // the limit is per owner
    store.cancel(first.id(), "alice", "");
    store.submit(third, 2); // a cancelled job no longer counts
  }

  @OnBothDatabases
  void decide_everyProviderMustApprove(TestDatabase database) {
    JobStore store = newStore(database);
    Job job = store.submit(job("alice", INSURANCE, CLAIMS), 5);

    Job afterPat = store.decide(job.id(), Decision.Kind.APPROVE, "pat", "looks fine");
    Job afterQuinn = store.decide(job.id(), Decision.Kind.APPROVE, "quinn", "");

    assertAll(
        () -> assertEquals(JobState.SUBMITTED, afterPat.state()),
        () -> assertEquals(List.of("quinn"), List.copyOf(afterPat.approvalsPending())),
        () -> assertEquals(JobState.APPROVED, afterQuinn.state()),
        () -> assertEquals("looks fine", afterQuinn.decisions().get(0).comment()));
  }

  @OnBothDatabases
  void decide_oneRejectionRejectsTheJob(TestDatabase database) {
    JobStore store = newStore(database);
    Job job = store.submit(job("alice", INSURANCE, CLAIMS), 5);
    store.decide(job.id(), Decision.Kind.APPROVE, "pat", "");

    Job rejected = store.decide(job.id(), Decision.Kind.REJECT, "quinn", "prints raw rows in cell 4");

    assertEquals(JobState.REJECTED, rejected.state());
    assertEquals("rejected by quinn: prints raw rows in cell 4", rejected.reason());
    refused("wrong_state", () -> store.decide(job.id(), Decision.Kind.APPROVE, "quinn", ""));
  }

  @OnBothDatabases
  void decide_bySomeoneWhoProvidesNoneOfItsDatasets_isRefused(TestDatabase database) {
    JobStore store = newStore(database);
    Job job = store.submit(job("alice", INSURANCE), 5);

    refused("not_permitted", () -> store.decide(job.id(), Decision.Kind.APPROVE, "quinn", ""));
    refused("unknown_job", () -> store.decide(JobId.generate(), Decision.Kind.APPROVE, "pat", ""));

    assertEquals(List.of(), store.find(job.id()).orElseThrow().decisions());
  }

  @OnBothDatabases
  void decide_twoProvidersApprovingAtOnce_approveTheJob(TestDatabase database) {
    JobStore store = newStore(database);
    for (int round = 0; round < 10; round++) {
      Job job = store.submit(job("alice" + round, INSURANCE, CLAIMS), 5);
      CompletableFuture<Job> pat = CompletableFuture.supplyAsync(() -> store.decide(job.id(), Decision.Kind.APPROVE, "pat", ""));
      CompletableFuture<Job> quinn = CompletableFuture.supplyAsync(() -> store.decide(job.id(), Decision.Kind.APPROVE, "quinn", ""));
      CompletableFuture.allOf(pat, quinn).join();

      assertEquals(JobState.APPROVED, store.find(job.id()).orElseThrow().state(), "round " + round);
    }
  }

  @OnBothDatabases
  void release_needsEveryProviderWhosePolicyAsksForIt_andWithholdingKeepsTheOutputsIn(TestDatabase database) {
    JobStore store = newStore(database);
    Job job = driveTo(store, store.submit(job("alice", INSURANCE, CLAIMS, OPEN_DATA), 5), JobState.FINISHED);
    refused("wrong_state", () -> store.decide(driveTo(store, store.submit(job("bob", INSURANCE), 5), JobState.RUNNING).id(),
        Decision.Kind.RELEASE, "pat", ""));

    Job withheld = store.decide(job.id(), Decision.Kind.WITHHOLD, "quinn", "the model memorises ids");
    Job patReleased = store.decide(job.id(), Decision.Kind.RELEASE, "pat", "");
    Job quinnReleased = store.decide(job.id(), Decision.Kind.RELEASE, "quinn", "fixed after a talk");

    assertAll(
        () -> assertEquals(JobState.FINISHED, withheld.state()),
        () -> assertEquals(List.of("pat", "quinn"), List.copyOf(withheld.releasesPending())),
        () -> assertEquals(JobState.FINISHED, patReleased.state()),
        () -> assertEquals(JobState.RELEASED, quinnReleased.state()));
  }

  @OnBothDatabases
  void cancel_endsAJobInFlight_andNothingElse(TestDatabase database) {
    JobStore store = newStore(database);
    Job running = driveTo(store, store.submit(job("alice", INSURANCE), 5), JobState.RUNNING);
    Job finished = driveTo(store, store.submit(job("alice", INSURANCE), 5), JobState.FINISHED);

    Job cancelled = store.cancel(running.id(), "alice", "wrong notebook");

    assertEquals(JobState.CANCELLED, cancelled.state());
    assertEquals("cancelled by alice: wrong notebook", cancelled.reason());
    refused("wrong_state", () -> store.cancel(finished.id(), "alice", ""));
    refused("wrong_state", () -> store.cancel(running.id(), "alice", ""));
  }

  @OnBothDatabases
  void transition_isACompareAndSetOnTheState(TestDatabase database) {
    JobStore store = newStore(database);
    Job job = driveTo(store, store.submit(job("alice", INSURANCE), 5), JobState.BUILDING);
    store.cancel(job.id(), "alice", "");

    Optional<Job> built = store.transition(job.id(), JobState.BUILDING, JobState.BUILT, "image built",
        JobUpdate.none().image("oci:/x", "sha256:" + "1".repeat(64)));

    assertEquals(Optional.empty(), built, "the cancel won; the reconciler's late result changes nothing");
    Job after = store.find(job.id()).orElseThrow();
    assertEquals(JobState.CANCELLED, after.state());
    assertEquals(Optional.empty(), after.imageDigest());
    assertThrows(IllegalArgumentException.class,
        () -> store.transition(job.id(), JobState.SUBMITTED, JobState.RUNNING, "", JobUpdate.none()));
  }

  @OnBothDatabases
  void aRunRequestedAndNotStopped_keepsAFinalJobInTheReconcilersList(TestDatabase database) {
    JobStore store = newStore(database);
    Job job = driveTo(store, store.submit(job("alice", INSURANCE), 5), JobState.LAUNCHING);
    store.update(job.id(), JobState.LAUNCHING, JobUpdate.none().runRequested(NOON));
    store.cancel(job.id(), "alice", "");
    Job rejected = store.submit(job("alice", INSURANCE), 5);
    store.decide(rejected.id(), Decision.Kind.REJECT, "pat", "");

    assertEquals(List.of(job.id()), store.needingWork().stream().map(Job::id).toList());
    store.updateAnyState(job.id(), JobUpdate.none().runStopped(NOON.plusSeconds(1)));
    assertEquals(List.of(), store.needingWork());
    assertFalse(store.find(job.id()).orElseThrow().run().mayBeRunning());
  }

  @OnBothDatabases
  void list_showsEachCallerTheirOwnJobsAndThoseOfTheirDatasets(TestDatabase database) {
    JobStore store = newStore(database);
    Job alices = store.submit(job("alice", INSURANCE), 5);
    clock.advance(Duration.ofSeconds(1));
    Job bobs = store.submit(job("bob", CLAIMS), 5);
    clock.advance(Duration.ofSeconds(1));
    Job both = store.submit(job("bob", INSURANCE, CLAIMS), 5);

    assertAll(
        () -> assertEquals(List.of(alices.id()), ids(store.list(JobQuery.visibleTo(Optional.of("alice"), Optional.empty(), Optional.empty(), 50)))),
        () -> assertEquals(List.of(both.id(), alices.id()), ids(store.list(JobQuery.visibleTo(Optional.empty(), Optional.of("pat"), Optional.empty(), 50)))),
        () -> assertEquals(List.of(both.id(), bobs.id()), ids(store.list(JobQuery.visibleTo(Optional.of("bob"), Optional.of("bob"), Optional.empty(), 50)))),
        () -> assertEquals(List.of(both.id(), bobs.id(), alices.id()), ids(store.list(JobQuery.everyone(Optional.empty(), 50)))),
        () -> assertEquals(List.of(both.id()), ids(store.list(JobQuery.everyone(Optional.empty(), 1)))),
        () -> assertEquals(List.of(), ids(store.list(JobQuery.everyone(Optional.of(JobState.RUNNING), 50)))),
        () -> assertEquals(List.of(), ids(store.list(JobQuery.visibleTo(Optional.empty(), Optional.empty(), Optional.empty(), 50)))));
  }

  private static List<String> ids(List<Job> jobs) {
    return jobs.stream().map(Job::id).toList();
  }

  @OnBothDatabases
  void everyStateChangeIsAnnouncedOnceAfterItsCommit(TestDatabase database) {
    JobStore store = newStore(database);
    List<String> lines = new CopyOnWriteArrayList<>();
    store.onStateChange(event -> lines.add(event.line()));
    Job job = store.submit(job("alice", INSURANCE), 5);
    store.decide(job.id(), Decision.Kind.APPROVE, "pat", "ok");
    store.transition(job.id(), JobState.APPROVED, JobState.BUILDING, "building the image", JobUpdate.none());
    store.transition(job.id(), JobState.APPROVED, JobState.BUILDING, "building the image", JobUpdate.none());
    store.note(job.id(), "build step 1 of 3");

    assertEquals(List.of(
        "job " + job.id() + " SUBMITTED by alice: submitted regression.ipynb reading insurance; waiting for pat",
        "job " + job.id() + " SUBMITTED → APPROVED by pat: approve: ok",
        "job " + job.id() + " APPROVED → BUILDING by bridge: building the image"), lines);
    assertEquals(4, store.events(job.id()).size());
  }

  @OnBothDatabases
  void theAuditLogRecordsEveryActionAndRefusesChanges(TestDatabase database) throws SQLException {
    String url = database.newUrl(dir);
    JobStore store = open(url);
    Job job = store.submit(job("alice", INSURANCE), 5);
    store.decide(job.id(), Decision.Kind.APPROVE, "pat", "fine");
    store.audit("bob", "get", Optional.of(job.id()), "unknown_job", "");

    List<AuditEntry> log = store.auditLog(Optional.empty(), Optional.empty(), 100);
    assertEquals(List.of("bob get unknown_job", "pat approve ok", "alice submit ok"),
        log.stream().map(e -> e.actor() + " " + e.action() + " " + e.outcome()).toList());
    assertEquals(List.of(2L, 1L), store.auditLog(Optional.of("pat"), Optional.empty(), 100).stream()
        .filter(e -> e.outcome().equals("ok")).map(AuditEntry::seq).toList());
    assertEquals(3, store.verifyAuditChain());

    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      assertThrows(SQLException.class, () -> s.executeUpdate("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1"));
      assertThrows(SQLException.class, () -> s.executeUpdate("DELETE FROM audit_log WHERE seq = 2"));
    }
    assertEquals(3, store.verifyAuditChain());
  }

  @OnBothDatabases
  void aChangedAuditEntryBreaksTheChain(TestDatabase database) throws SQLException {
    String url = database.newUrl(dir);
    JobStore store = open(url);
    Job job = store.submit(job("alice", INSURANCE), 5);
    store.decide(job.id(), Decision.Kind.APPROVE, "pat", "fine");
    store.cancel(job.id(), "alice", "");

    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      // Someone with the database's owner rights removes the guard first.
      s.execute(database == TestDatabase.SQLITE ? "DROP TRIGGER audit_log_no_update" : "DROP TRIGGER audit_log_no_change ON audit_log");
      s.executeUpdate("UPDATE audit_log SET detail = 'nothing' WHERE seq = 2");
    }

    IllegalStateException broken = assertThrows(IllegalStateException.class, store::verifyAuditChain);
    assertTrue(broken.getMessage().contains("entry 2"), broken.getMessage());
  }

  @OnBothDatabases
  void reopening_keepsEveryJob(TestDatabase database) {
    String url = database.newUrl(dir);
    JobStore first = open(url);
    Job job = driveTo(first, first.submit(job("alice", INSURANCE), 5), JobState.RUNNING);
    first.close();

    JobStore second = open(url);

    assertEquals(Optional.of(job), second.find(job.id()));
    assertEquals(2, second.verifyAuditChain(), "submit and approve");
  }
}
