package dev.cleanroom.bridge.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.NoCredentials;
import com.google.cloud.storage.StorageOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The V4 check of {@link CloudStorageV4} against URLs Google's own library signs for the bridge: they pass, and
 * what Cloud Storage refuses is refused. The launcher's real upload is checked in {@link ConfidentialSpaceLauncherTest}.
 */
class CloudStorageV4Test {
  private final HttpClient http = HttpClient.newHttpClient();
  private CloudStorageV4 cloudStorage;
  private GcsStorage storage;

  @BeforeEach
  void start() throws Exception {
    KeyPair key = ConfidentialSpacePlatformTest.signingKey();
    cloudStorage = CloudStorageV4.start(Map.of(ConfidentialSpacePlatformTest.SIGNER, key.getPublic()), Optional.empty());
    storage = ConfidentialSpacePlatformTest.signingStorage(StorageOptions.http().setHost(cloudStorage.endpoint().toString())
        .setProjectId("test-project").setCredentials(NoCredentials.getInstance()).build().getService(), "jobs", key);
  }

  @AfterEach
  void stop() {
    cloudStorage.close();
  }

  private int send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void signedPut_sentWithOnlyWhatWasSigned_passes() throws Exception {
    URI url = storage.writeUrl("jobs/j1/result.zip", Duration.ofHours(1));
    assertEquals(200, send(HttpRequest.newBuilder(url).PUT(HttpRequest.BodyPublishers.ofString("zip"))));
    assertEquals(Optional.empty(), cloudStorage.checked().get(0).refusal());
  }

  @Test
  void signedGet_passes() throws Exception {
    assertEquals(200, send(HttpRequest.newBuilder(storage.readUrl("jobs/j1/plan.json", Duration.ofHours(1))).GET()));
  }

  @Test
  void signedPut_withAnUnsignedContentType_isRefused() throws Exception {
    URI url = storage.writeUrl("jobs/j1/result.zip", Duration.ofHours(1));
    assertEquals(403, send(HttpRequest.newBuilder(url).header("Content-Type", "application/zip")
        .PUT(HttpRequest.BodyPublishers.ofString("zip"))));
    assertTrue(cloudStorage.checked().get(0).refusal().orElseThrow().contains("content-type"));
  }

  @Test
  void signedPut_toAnotherObject_isRefused() throws Exception {
    URI url = storage.writeUrl("jobs/j1/result.zip", Duration.ofHours(1));
    URI other = URI.create(url.toString().replace("/j1/", "/j2/"));
    assertEquals(403, send(HttpRequest.newBuilder(other).PUT(HttpRequest.BodyPublishers.ofString("zip"))));
  }

  @Test
  void signedGet_usedForPut_isRefused() throws Exception {
    URI url = storage.readUrl("jobs/j1/plan.json", Duration.ofHours(1));
    assertEquals(403, send(HttpRequest.newBuilder(url).PUT(HttpRequest.BodyPublishers.ofString("x"))));
  }
}
