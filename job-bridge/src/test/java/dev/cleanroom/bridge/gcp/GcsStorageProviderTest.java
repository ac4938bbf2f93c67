package dev.cleanroom.bridge.gcp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import dev.cleanroom.bridge.backend.ObjectStorage;
import dev.cleanroom.bridge.backend.StorageProvider;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --storage gs://BUCKET/PREFIX} against fake-gcs-server: the provider found by scheme, keys under the prefix. */
class GcsStorageProviderTest {
  @RegisterExtension
  static final FakeGcsServer SERVER = new FakeGcsServer();

  private Storage client;
  private String bucket;
  private Map<String, String> environment;

  @BeforeEach
  void bucket() {
    client = SERVER.client();
    bucket = SERVER.newBucket(client);
    environment = Map.of(GcsStorageProvider.EMULATOR_HOST, SERVER.endpoint().toString(), "DCR_GCP_PROJECT", "test-project");
  }

  @Test
  void theGsScheme_isServedByTheCloudStorageProvider() {
    assertInstanceOf(GcsStorageProvider.class, StorageProvider.forScheme("gs").orElseThrow());
  }

  @Test
  void open_withAPrefix_keepsEveryKeyUnderIt() throws Exception {
    ObjectStorage storage = new GcsStorageProvider().open(URI.create("gs://" + bucket + "/deployments/prod"), environment);
    byte[] report = "{\"job\":\"42\"}".getBytes(UTF_8);

    storage.put("jobs/42/result/report.json", new ByteArrayInputStream(report), report.length);

    assertNotNull(client.get(BlobId.of(bucket, "deployments/prod/jobs/42/result/report.json")));
    assertNull(client.get(BlobId.of(bucket, "jobs/42/result/report.json")));
    assertEquals(List.of("jobs/42/result/report.json"), storage.list("jobs/42/"));
    try (InputStream in = storage.get("jobs/42/result/report.json")) {
      assertArrayEquals(report, in.readAllBytes());
    }
    assertTrue(storage.exists("jobs/42/result/report.json"));
    assertEquals("gs://" + bucket + "/deployments/prod/jobs/42/result/report.json",
        ((GcsStorage) storage).objectUri("jobs/42/result/report.json").toString());
  }

  @Test
  void open_aBucketAlone_usesObjectNamesAsKeys() throws Exception {
    ObjectStorage storage = new GcsStorageProvider().open(URI.create("gs://" + bucket), environment);

    storage.put("jobs/7/notebook.ipynb", new ByteArrayInputStream(new byte[] {1, 2}), 2);

    assertNotNull(client.get(BlobId.of(bucket, "jobs/7/notebook.ipynb")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"gs:///jobs", "gs://Upper-Case/jobs", "gs://b/jobs", "gs://bucket:443/jobs", "gs://user@bucket/jobs",
      "gs://bucket/jobs/../etc", "gs://bucket/jobs?x=1", "gs://bucket//jobs"})
  void open_aMalformedLocation_isRefusedWithTheFormToUse(String location) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GcsStorageProvider().open(URI.create(location), environment));

    assertTrue(e.getMessage().contains("gs://BUCKET/PREFIX"), e.getMessage());
  }
}
