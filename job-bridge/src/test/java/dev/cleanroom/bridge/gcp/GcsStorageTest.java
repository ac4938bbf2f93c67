package dev.cleanroom.bridge.gcp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.auth.ServiceAccountSigner;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.NoSuchFileException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GcsStorage against fake-gcs-server on loopback: every call really round-trips through the Storage API. */
class GcsStorageTest {
  @RegisterExtension
  static final FakeGcsServer SERVER = new FakeGcsServer();

  private static final String SIGNER_EMAIL = "bridge-signer@test-project.iam.gserviceaccount.com";
  private static KeyPair signingKey;
  private static ServiceAccountSigner signer;

  private final HttpClient http = HttpClient.newHttpClient();
  private Storage client;
  private String bucket;
  private GcsStorage storage;

  @BeforeAll
  static void signingKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    signingKey = generator.generateKeyPair();
    signer = ServiceAccountCredentials.newBuilder()
        .setClientEmail(SIGNER_EMAIL)
        .setPrivateKey(signingKey.getPrivate())
        .setPrivateKeyId("test-key")
        .setProjectId("test-project")
        .build();
  }

  @BeforeEach
  void bucket() {
    client = SERVER.client();
    bucket = SERVER.newBucket(client);
    storage = new GcsStorage(client, bucket, Optional.of(signer));
  }

  @Test
  void put_thenGet_returnsTheSameBytes() throws IOException {
    byte[] content = bytes(3 * 1024 * 1024 + 17, 1);

    storage.put("jobs/42/inputs/insurance.csv", new ByteArrayInputStream(content), content.length);

    try (InputStream in = storage.get("jobs/42/inputs/insurance.csv")) {
      assertArrayEquals(content, in.readAllBytes());
    }
  }

  @Test
  void put_emptyObject_isStored() throws IOException {
    storage.put("jobs/42/empty", InputStream.nullInputStream(), 0);

    assertTrue(storage.exists("jobs/42/empty"));
    try (InputStream in = storage.get("jobs/42/empty")) {
      assertEquals(0, in.readAllBytes().length);
    }
  }

  @Test
  void put_sameKeyTwice_keepsTheSecond() throws IOException {
    put("jobs/42/notebook.ipynb", "first");
    put("jobs/42/notebook.ipynb", "second");

    assertEquals("second", read("jobs/42/notebook.ipynb"));
  }

  @Test
  void put_streamShorterThanDeclared_storesNothing() {
    byte[] content = "only eleven".getBytes(UTF_8);

    IOException e = assertThrows(IOException.class,
        () -> storage.put("jobs/42/short", new ByteArrayInputStream(content), content.length + 5));

    assertTrue(e.getMessage().contains("ended after 11 bytes but 16 were declared"), e.getMessage());
    assertNull(client.get(BlobId.of(bucket, "jobs/42/short")), "a short upload must not be committed");
  }

  @Test
  void put_streamLongerThanDeclared_storesNothingAndKeepsTheOldObject() throws IOException {
    put("jobs/42/result", "old");
    byte[] content = "much longer than declared".getBytes(UTF_8);

    IOException e = assertThrows(IOException.class,
        () -> storage.put("jobs/42/result", new ByteArrayInputStream(content), 4));

    assertTrue(e.getMessage().contains("longer than the 4 bytes declared"), e.getMessage());
    assertEquals("old", read("jobs/42/result"));
  }

  @Test
  void get_missingKey_throwsNoSuchFile() {
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> storage.get("jobs/42/missing"));

    assertEquals("gs://" + bucket + "/jobs/42/missing", e.getFile());
  }

  @Test
  void exists_trueAfterPut_falseAfterDelete() throws IOException {
    assertFalse(storage.exists("jobs/42/report.json"));
    put("jobs/42/report.json", "{}");
    assertTrue(storage.exists("jobs/42/report.json"));

    storage.delete("jobs/42/report.json");

    assertFalse(storage.exists("jobs/42/report.json"));
  }

  @Test
  void delete_missingKey_isHarmless() throws IOException {
    storage.delete("jobs/42/never-written");

    assertFalse(storage.exists("jobs/42/never-written"));
  }

  @Test
  void list_returnsEveryKeyUnderThePrefixSorted() throws IOException {
    put("jobs/42/outputs/b.txt", "b");
    put("jobs/42/outputs/a/deep.txt", "a");
    put("jobs/42/report.json", "{}");
    put("jobs/420/report.json", "{}");

    assertEquals(List.of("jobs/42/outputs/a/deep.txt", "jobs/42/outputs/b.txt"), storage.list("jobs/42/outputs/"));
    assertEquals(List.of("jobs/42/outputs/a/deep.txt", "jobs/42/outputs/b.txt", "jobs/42/report.json"),
        storage.list("jobs/42/"));
    assertEquals(List.of(), storage.list("jobs/43/"));
  }

  @Test
  void keys_thatAreNotRelativePaths_areRefused() {
    for (String key : List.of("", "/jobs/42", "jobs/../secrets", "jobs//42", "jobs/42/", "jobs/./42", "jobs\\42")) {
      assertThrows(IllegalArgumentException.class, () -> storage.exists(key), key);
    }
  }

  @Test
  void readUrl_isAV4SignedGetForTheObjectOnTheClientsHost() throws Exception {
    URI url = storage.readUrl("jobs/42/inputs/insurance.csv", Duration.ofMinutes(30));

    assertEquals(SERVER.endpoint().getScheme(), url.getScheme());
    assertEquals(SERVER.endpoint().getAuthority(), url.getAuthority());
    assertEquals("/" + bucket + "/jobs/42/inputs/insurance.csv", url.getPath());
    Map<String, String> query = query(url);
    assertEquals("GOOG4-RSA-SHA256", query.get("X-Goog-Algorithm"));
    assertTrue(query.get("X-Goog-Credential").matches(
        SIGNER_EMAIL.replace(".", "\\.") + "/[0-9]{8}/auto/storage/goog4_request"), query.get("X-Goog-Credential"));
    assertTrue(query.get("X-Goog-Date").matches("[0-9]{8}T[0-9]{6}Z"), query.get("X-Goog-Date"));
    assertEquals("1800", query.get("X-Goog-Expires"));
    assertEquals("host", query.get("X-Goog-SignedHeaders"));
    assertTrue(query.get("X-Goog-Signature").matches("[0-9a-f]{512}"), "an RSA-2048 signature in hex");
    assertSignatureVerifies(url, "GET");
  }

  @Test
  void writeUrl_isAV4SignedPut() throws Exception {
    URI url = storage.writeUrl("jobs/42/outputs/model.txt", Duration.ofHours(2));

    assertEquals("/" + bucket + "/jobs/42/outputs/model.txt", url.getPath());
    assertEquals("7200", query(url).get("X-Goog-Expires"));
    assertSignatureVerifies(url, "PUT");
  }

  @Test
  void readUrl_downloadsTheObject() throws Exception {
    put("jobs/42/inputs/insurance.csv", "age,charges\n19,16884.92\n");

    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(storage.readUrl("jobs/42/inputs/insurance.csv", Duration.ofMinutes(5))).GET().build(),
        HttpResponse.BodyHandlers.ofString());

    assertEquals(200, response.statusCode());
    assertEquals("age,charges\n19,16884.92\n", response.body());
  }

  @Test
  void writeUrl_uploadsTheObject() throws Exception {
    byte[] content = bytes(100_000, 2);

    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(storage.writeUrl("jobs/42/outputs/model.bin", Duration.ofMinutes(5)))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build(),
        HttpResponse.BodyHandlers.ofString());

    assertEquals(200, response.statusCode(), response.body());
    try (InputStream in = storage.get("jobs/42/outputs/model.bin")) {
      assertArrayEquals(content, in.readAllBytes());
    }
  }

  @Test
  void signedUrls_areValidForMoreThanNothingAndAtMostSevenDays() throws IOException {
    assertThrows(IllegalArgumentException.class, () -> storage.readUrl("jobs/42/a", Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> storage.writeUrl("jobs/42/a", Duration.ofDays(7).plusSeconds(1)));
    assertEquals("604800", query(storage.readUrl("jobs/42/a", Duration.ofDays(7))).get("X-Goog-Expires"));
  }

  @Test
  void readUrl_withCredentialsThatCannotSign_saysHowToFixIt() {
    GcsStorage unsigned = new GcsStorage(client, bucket, Optional.empty());

    GcpException e = assertThrows(GcpException.class, () -> unsigned.readUrl("jobs/42/a", Duration.ofMinutes(5)));

    assertEquals(GcpException.CALL_FAILED, e.code());
    assertTrue(e.getMessage().contains("gcp.storage.url-signer"), e.getMessage());
  }

  @Test
  void bucket_withAPathOrScheme_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> new GcsStorage(client, "gs://b", Optional.empty()));
    assertThrows(IllegalArgumentException.class, () -> new GcsStorage(client, " ", Optional.empty()));
  }

  /** Recomputes the V4 string-to-sign from the URL alone and checks the signature with the signer's public key. */
  private static void assertSignatureVerifies(URI url, String method) throws Exception {
    List<String> params = Arrays.stream(url.getRawQuery().split("&"))
        .filter(p -> !p.startsWith("X-Goog-Signature=")).sorted().toList();
    String canonicalRequest = String.join("\n", method, url.getRawPath(), String.join("&", params),
        "host:" + url.getAuthority() + "\n", "host", "UNSIGNED-PAYLOAD");
    Map<String, String> query = query(url);
    String credential = query.get("X-Goog-Credential");
    String stringToSign = String.join("\n", "GOOG4-RSA-SHA256", query.get("X-Goog-Date"),
        credential.substring(credential.indexOf('/') + 1),
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonicalRequest.getBytes(UTF_8))));
    Signature rsa = Signature.getInstance("SHA256withRSA");
    rsa.initVerify(signingKey.getPublic());
    rsa.update(stringToSign.getBytes(UTF_8));
    assertTrue(rsa.verify(HexFormat.of().parseHex(query.get("X-Goog-Signature"))), "the V4 signature verifies");
  }

  private static Map<String, String> query(URI url) {
    Map<String, String> query = new LinkedHashMap<>();
    for (String pair : url.getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      query.put(URLDecoder.decode(pair.substring(0, eq), UTF_8), URLDecoder.decode(pair.substring(eq + 1), UTF_8));
    }
    return query;
  }

  private void put(String key, String text) throws IOException {
    byte[] content = text.getBytes(UTF_8);
    storage.put(key, new ByteArrayInputStream(content), content.length);
  }

  private String read(String key) throws IOException {
    try (InputStream in = storage.get(key)) {
      return new String(in.readAllBytes(), UTF_8);
    }
  }

  private static byte[] bytes(int size, long seed) {
    byte[] content = new byte[size];
    new Random(seed).nextBytes(content);
    return content;
  }
}
