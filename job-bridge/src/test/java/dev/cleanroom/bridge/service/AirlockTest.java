package dev.cleanroom.bridge.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.bridge.BridgeException;
import dev.cleanroom.bridge.auth.Caller;
import dev.cleanroom.bridge.auth.Role;
import dev.cleanroom.bridge.job.Decision;
import dev.cleanroom.bridge.job.Job;
import dev.cleanroom.bridge.job.JobDataset;
import dev.cleanroom.bridge.job.JobState;
import dev.cleanroom.bridge.job.TeeRun;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The airlock's rules for a submitter who is also a provider (security review after #14, point 1). */
class AirlockTest {
  private static final Instant NOON = Instant.parse("2026-03-01T12:00:00Z");
  private static final JobDataset CLAIMS = new JobDataset("claims", "quinn", true);
  private static final JobDataset MINE = new JobDataset("mine", "alice", true);
  private static final Caller ALICE = Caller.of("alice", Role.SCIENTIST, Role.PROVIDER);

  private static Job finished(JobState state, List<JobDataset> datasets, Decision... decisions) {
    return new Job("job-1", "alice", "x.ipynb", datasets, state, "", "ab".repeat(32), 10, Duration.ofMinutes(5),
        NOON, NOON, Optional.empty(), Optional.empty(), TeeRun.NONE, 0, true, List.of(decisions));
  }

  private static Decision release(String provider) {
    return new Decision(provider, Decision.Kind.RELEASE, "", NOON);
  }

  /** The attack: once quinn released, alice was the last provider pending, so she read the job she submitted herself. */
  @Test
  void theSubmitterWhoAlsoProvides_readsHerJobsResultsOnlyOnceReleased() {
    Job afterQuinn = finished(JobState.FINISHED, List.of(CLAIMS, MINE), release("quinn"));
    assertFalse(Airlock.mayReadResults(ALICE, afterQuinn), "alice reviewed her own job's outputs of quinn's data");
    assertTrue(Airlock.mayReadResults(ALICE, finished(JobState.RELEASED, List.of(CLAIMS, MINE), release("quinn"),
        release("alice"))));
  }

  @Test
  void aJobWhoseSubmittersReleaseWouldReviewAnotherProvidersData_isRefused() {
    BridgeException refused = assertThrows(BridgeException.class,
        () -> Airlock.requireIndependentReview("alice", List.of(CLAIMS, MINE)));
    assertEquals(403, refused.httpStatus());
    assertTrue(refused.getMessage().contains("mine") && refused.getMessage().contains("claims (quinn)"), refused.getMessage());
  }

  @Test
  void aJobOnTheSubmittersOwnDataAlone_orOnOthersDataAlone_isAccepted() {
    Airlock.requireIndependentReview("alice", List.of(MINE));
    Airlock.requireIndependentReview("alice", List.of(CLAIMS, new JobDataset("open", "alice", false)));
    Airlock.requireIndependentReview("bob", List.of(CLAIMS, MINE));
  }

  /**
   * The attack: alice reviews quinn's dataset ({@code outputs.reviewers}) and submits a job on it; her own release was
   * the one release it needed, so nobody but her looked at what came out of quinn's rows.
   */
  @Test
  void aSubmitterWhoReviewsTheDataset_neverReleasesHerOwnJob() {
    JobDataset reviewed = new JobDataset("claims", "quinn", true, 1, List.of("alice"));
    Job afterAlice = finished(JobState.FINISHED, List.of(reviewed), release("alice"));
    assertEquals(java.util.Set.of("quinn"), afterAlice.releasesPending(), "her release does not count");
    assertEquals(JobState.FINISHED, afterAlice.stateAfter(release("alice")));
    assertFalse(Airlock.mayReadResults(ALICE, afterAlice));
    assertEquals(JobState.RELEASED, afterAlice.stateAfter(release("quinn")));
  }
}
