package dev.cleanroom.tee.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The launcher's HTTP calls to Google's APIs and to signed Cloud Storage URLs, each tried again after a transient
 * failure: an I/O error (a reset connection, a timeout) or HTTP 408, 429, 500, 502, 503 or 504, as Cloud Storage
 * asks of its clients. Waits grow from {@link #FIRST_WAIT}, doubling, with up to half again at random, for at most
 * {@link #ATTEMPTS} tries (15 to 23 s of waiting in all). Every call made here is idempotent: downloads, the upload of the
 * same archive to the same object, token requests.
 *
 * <p>Invariant: a message names what was tried, the status or the exception's class, and the number of tries,
 * never a URL (signed URLs are credentials) or a response body (it may quote the request).
 */
final class CloudHttp {
  static final int ATTEMPTS = 5;
  static final Duration FIRST_WAIT = Duration.ofSeconds(1);
  private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);
  /** The slowest upload allowed for: the JDK's request timeout runs until the answer starts, so past the body. */
  private static final long UPLOAD_BYTES_PER_SECOND = 256 * 1024;
  private static final Set<Integer> TRANSIENT = Set.of(408, 429, 500, 502, 503, 504);
  /**
   * How long a refusal is waited out while a new grant propagates: the provider grants the job's image access just
   * before the launch, and Google says an IAM change usually takes effect within 2 minutes and may take 7 or more.
   */
  static final Duration GRANT_PROPAGATION = Duration.ofMinutes(8);
  static final Duration GRANT_WAIT = Duration.ofSeconds(20);

  /** Waits between tries; tests pass one that records instead. */
  @FunctionalInterface
  interface Pause {
    void sleep(Duration duration) throws InterruptedException;
  }

  /** One try: sends its request and reads the answer, or throws {@link FailedStatus}. */
  @FunctionalInterface
  interface Exchange<T> {
    T run(HttpClient http) throws IOException, InterruptedException;
  }

  /** An answer with a status the exchange cannot use; transient ones are tried again. */
  static final class FailedStatus extends IOException {
    private final int status;

    FailedStatus(int status) {
      this(status, "HTTP " + status);
    }

    FailedStatus(int status, String message) {
      super(message);
      this.status = status;
    }

    int status() {
      return status;
    }
  }

  private final HttpClient http;
  private final Pause pause;

  CloudHttp(HttpClient http, Pause pause) {
    this.http = http;
    this.pause = pause;
  }

  /** The client the launcher uses: no redirects (a signed URL is followed nowhere else), real waits. */
  static CloudHttp standard() {
    return new CloudHttp(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
        .followRedirects(HttpClient.Redirect.NEVER).build(), duration -> Thread.sleep(duration));
  }

  /** A request to {@code uri} with the limit every call here has until its answer starts: 2 minutes. */
  static HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT);
  }

  /** A request that sends {@code bytes} to {@code uri}: 2 minutes plus the time the body takes at 256 KiB/s. */
  static HttpRequest.Builder upload(URI uri, long bytes) {
    return HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT.plusSeconds(bytes / UPLOAD_BYTES_PER_SECOND));
  }

  /**
   * Runs {@code exchange} until it succeeds, fails for good, or has been tried {@link #ATTEMPTS} times.
   *
   * @param what what the exchange does, for the message ("fetch input 'insurance/real.csv'")
   * @throws FailedStatus with the last status, if the answer was never usable
   * @throws IOException if the exchange never got an answer, or was interrupted
   */
  <T> T exchange(String what, Exchange<T> exchange) throws IOException {
    Duration wait = FIRST_WAIT;
    for (int attempt = 1; ; attempt++) {
      String failure;
      try {
        return exchange.run(http);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while trying to " + what);
      } catch (FailedStatus e) {
        if (!TRANSIENT.contains(e.status()) || attempt == ATTEMPTS) {
          throw new FailedStatus(e.status(), "tried to " + what + " but got HTTP " + e.status() + tries(attempt));
        }
        failure = "HTTP " + e.status();
      } catch (IOException e) {
        if (attempt == ATTEMPTS) {
          // The exception's own text may hold the URL.
          throw new IOException("tried to " + what + " but failed because: " + e.getClass().getSimpleName()
              + tries(attempt));
        }
        failure = e.getClass().getSimpleName();
      }
      try {
        pause.sleep(wait.plusMillis(ThreadLocalRandom.current().nextLong(wait.toMillis() / 2 + 1)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while trying to " + what + " again after " + failure);
      }
      wait = wait.multipliedBy(2);
    }
  }

  /**
   * As {@link #exchange}, but an answer with one of the {@code refusals} statuses (a Security Token Service 400 or
   * 403, a Cloud Storage 403: no grant yet) is tried again every {@link #GRANT_WAIT} for up to
   * {@link #GRANT_PROPAGATION} of waiting in all, then fails with that status.
   */
  <T> T exchangeWhileGrantPropagates(String what, Set<Integer> refusals, Exchange<T> exchange) throws IOException {
    Duration waited = Duration.ZERO;
    for (int refused = 0; ; refused++) {
      try {
        return exchange(what, exchange);
      } catch (FailedStatus e) {
        if (!refusals.contains(e.status()) || waited.compareTo(GRANT_PROPAGATION) >= 0) {
          throw refused == 0 ? e : new FailedStatus(e.status(), e.getMessage() + ", refused " + (refused + 1)
              + " times over " + waited.toSeconds() + " s while a new grant could still propagate");
        }
      }
      try {
        pause.sleep(GRANT_WAIT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for a grant to " + what);
      }
      waited = waited.plus(GRANT_WAIT);
    }
  }

  /** Fails the exchange with {@code response}'s status unless it is 2xx; closes a streamed body. */
  static <T> HttpResponse<T> successful(HttpResponse<T> response) throws FailedStatus {
    if (response.statusCode() / 100 != 2) {
      if (response.body() instanceof AutoCloseable body) {
        try {
          body.close();
        } catch (Exception ignored) {
          // The status is what matters.
        }
      }
      throw new FailedStatus(response.statusCode());
    }
    return response;
  }

  private static String tries(int attempts) {
    return attempts == 1 ? "" : " (tried " + attempts + " times)";
  }
}
