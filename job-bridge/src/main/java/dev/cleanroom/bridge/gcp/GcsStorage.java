package dev.cleanroom.bridge.gcp;

import com.google.auth.ServiceAccountSigner;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ImpersonatedCredentials;
import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.HttpMethod;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import dev.cleanroom.bridge.backend.ObjectStorage;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Job storage in a Google Cloud Storage bucket, under a prefix ({@code --storage gs://BUCKET/PREFIX}): key
 * {@code jobs/42/report.json} is the object {@code PREFIX/jobs/42/report.json}. The TEE gets V4 signed URLs for its
 * job's objects and no credentials: GET for inputs, PUT for results.
 *
 * <p>Signed URLs need a signer. With a service-account key (or, on GKE, workload identity) the bridge's own
 * credentials sign: a key signs locally, a metadata-server identity signs through the IAM Credentials API
 * ({@code signBlob}, which needs {@code roles/iam.serviceAccountTokenCreator} on itself). Alternatively name a
 * signing service account that the bridge may impersonate ({@link #create}).
 *
 * <p>Invariant: {@link #put} stores the whole declared length or nothing; a short or long stream aborts the
 * upload before it is committed, so a half-written input or result never appears under its key.
 */
public final class GcsStorage implements ObjectStorage {
  /** The longest a V4 signed URL may be valid (Cloud Storage's limit). */
  public static final Duration MAX_URL_LIFETIME = Duration.ofDays(7);

  private static final int UPLOAD_BUFFER = 256 * 1024;
  private static final List<String> SIGNING_SCOPES = List.of("https://www.googleapis.com/auth/cloud-platform");

  private final Storage storage;
  private final String bucket;
  private final GcsLocation location;
  private final Optional<ServiceAccountSigner> signer;

  /**
   * @param storage a client (its host is also the signed URLs' host, so an emulator's URLs point at the emulator)
   * @param signer who signs URLs; empty to use the client's own credentials
   */
  public GcsStorage(Storage storage, String bucket, Optional<ServiceAccountSigner> signer) {
    this(storage, bucketOnly(bucket), signer);
  }

  /** Keys under {@code location}'s prefix of its bucket. */
  public GcsStorage(Storage storage, GcsLocation location, Optional<ServiceAccountSigner> signer) {
    this.storage = storage;
    this.bucket = location.bucket();
    this.location = location;
    this.signer = signer;
  }

  private static GcsLocation bucketOnly(String bucket) {
    if (bucket.isBlank() || bucket.contains("/")) {
      throw new IllegalArgumentException("'" + bucket + "' is not a bucket name (no gs:// and no path)");
    }
    return new GcsLocation(bucket, "");
  }

  /**
   * The bucket with Application Default Credentials; URLs signed by {@code signingServiceAccount} through IAM
   * impersonation when given, else by the credentials themselves.
   */
  public static GcsStorage create(String project, String bucket, Optional<String> signingServiceAccount)
      throws IOException {
    return create(Optional.of(project), bucketOnly(bucket), signingServiceAccount);
  }

  /**
   * {@code location} with Application Default Credentials, in {@code project} (else the credentials' own); URLs
   * signed as in {@link #create(String, String, Optional)}.
   */
  public static GcsStorage create(Optional<String> project, GcsLocation location, Optional<String> signingServiceAccount)
      throws IOException {
    GoogleCredentials credentials = GoogleCredentials.getApplicationDefault();
    Optional<ServiceAccountSigner> signer = signingServiceAccount.map(account ->
        ImpersonatedCredentials.create(credentials.createScoped(SIGNING_SCOPES), account, null, SIGNING_SCOPES, 3600));
    StorageOptions.Builder options = StorageOptions.newBuilder().setCredentials(credentials);
    project.ifPresent(options::setProjectId);
    return new GcsStorage(options.build().getService(), location, signer);
  }

  public String bucket() {
    return bucket;
  }

  /** Where the keys are: the bucket and the prefix of their object names. */
  public GcsLocation location() {
    return location;
  }

  /** The {@code gs://} URI of a key's object, as a TEE with rights on the bucket reads it. */
  public URI objectUri(String key) {
    return URI.create(where(key));
  }

  @Override
  public void put(String key, InputStream content, long length) throws IOException {
    BlobInfo blob = BlobInfo.newBuilder(blobId(key)).setContentType("application/octet-stream").build();
    InputStream exact = new ExactLength(content, length, key);
    WriteChannel writer;
    try {
      writer = storage.writer(blob);
    } catch (StorageException e) {
      throw GcpException.callFailed("upload " + where(key), e);
    }
    // Closing the channel commits the object, so it is closed only after the whole declared length went in;
    // on any failure the resumable session is abandoned and expires unfinished (no object, or the old one).
    try {
      byte[] buffer = new byte[UPLOAD_BUFFER];
      for (int n; (n = exact.read(buffer)) >= 0; ) {
        ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
        while (chunk.hasRemaining()) {
          writer.write(chunk);
        }
      }
      writer.close();
    } catch (StorageException e) {
      throw GcpException.callFailed("upload " + where(key), e);
    }
  }

  @Override
  public InputStream get(String key) throws IOException {
    Blob blob = metadata(key).orElseThrow(() -> new NoSuchFileException(where(key), null, "no such object"));
    try {
      // Pinned to the generation just seen: a concurrent overwrite cannot splice two versions together.
      ReadChannel reader = storage.reader(BlobId.of(bucket, location.objectName(key), blob.getGeneration()));
      return Channels.newInputStream(reader);
    } catch (StorageException e) {
      throw GcpException.callFailed("download " + where(key), e);
    }
  }

  @Override
  public boolean exists(String key) throws IOException {
    return metadata(key).isPresent();
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    try {
      List<String> keys = new ArrayList<>();
      String objectPrefix = location.objectName(prefix);
      for (Blob blob : storage.list(bucket, Storage.BlobListOption.prefix(objectPrefix)).iterateAll()) {
        if (!blob.getName().endsWith("/")) {
          keys.add(blob.getName().substring(location.prefix().length()));
        }
      }
      keys.sort(null);
      return keys;
    } catch (StorageException e) {
      throw GcpException.callFailed("list " + where(prefix) + "*", e);
    }
  }

  @Override
  public void delete(String key) throws IOException {
    try {
      storage.delete(blobId(key));
    } catch (StorageException e) {
      throw GcpException.callFailed("delete " + where(key), e);
    }
  }

  @Override
  public URI readUrl(String key, Duration validFor) throws IOException {
    return signedUrl(key, validFor, HttpMethod.GET);
  }

  @Override
  public URI writeUrl(String key, Duration validFor) throws IOException {
    return signedUrl(key, validFor, HttpMethod.PUT);
  }

  private URI signedUrl(String key, Duration validFor, HttpMethod method) throws IOException {
    if (validFor.isNegative() || validFor.isZero() || validFor.compareTo(MAX_URL_LIFETIME) > 0) {
      throw new IllegalArgumentException("A signed URL is valid for more than 0 and at most 7 days, not " + validFor);
    }
    List<Storage.SignUrlOption> options = new ArrayList<>(List.of(
        Storage.SignUrlOption.withV4Signature(),
        Storage.SignUrlOption.httpMethod(method),
        Storage.SignUrlOption.withPathStyle(),
        // The client's host with its port: the library itself would drop the port of an emulator's host.
        Storage.SignUrlOption.withHostName(storage.getOptions().getHost())));
    signer.ifPresent(s -> options.add(Storage.SignUrlOption.signWith(s)));
    try {
      URL url = storage.signUrl(BlobInfo.newBuilder(blobId(key)).build(), validFor.toSeconds(), TimeUnit.SECONDS,
          options.toArray(Storage.SignUrlOption[]::new));
      return url.toURI();
    } catch (IllegalStateException e) {
      throw new GcpException(GcpException.CALL_FAILED, "Tried to sign a URL for " + where(key) + " but failed"
          + " because these credentials cannot sign: set gcp.storage.url-signer to a service account the bridge"
          + " may impersonate, or use a service-account identity (docs/gcp.md)", false, e);
    } catch (StorageException | URISyntaxException e) {
      throw new GcpException(GcpException.CALL_FAILED, "Tried to sign a URL for " + where(key)
          + " but failed because: " + e.getMessage(), false, e);
    } catch (RuntimeException e) {
      // signBlob through IAM fails with the auth library's own unchecked exceptions.
      throw GcpException.callFailed("sign a URL for " + where(key), e);
    }
  }

  /** The bindings of {@code bucket}'s IAM policy, conditions included (policy version 3). */
  List<WorkloadGrants.Binding> bucketBindings(String bucket) throws IOException {
    try {
      return storage.getIamPolicy(bucket, Storage.BucketSourceOption.requestedPolicyVersion(3)).getBindingsList().stream()
          .map(b -> new WorkloadGrants.Binding(b.getRole(), b.getMembers(),
              Optional.ofNullable(b.getCondition()).map(com.google.cloud.Condition::getExpression)))
          .toList();
    } catch (StorageException e) {
      throw GcpException.callFailed("read the IAM policy of gs://" + bucket + " (the bridge needs"
          + " storage.buckets.getIamPolicy on each dataset's bucket, docs/gcp.md step 10)", e);
    }
  }

  private Optional<Blob> metadata(String key) throws IOException {
    try {
      return Optional.ofNullable(storage.get(blobId(key)));
    } catch (StorageException e) {
      throw GcpException.callFailed("read the metadata of " + where(key), e);
    }
  }

  private BlobId blobId(String key) {
    checkKey(key);
    return BlobId.of(bucket, location.objectName(key));
  }

  /** Keys are relative '/'-paths, as in the local folder backend, so that both backends accept the same keys. */
  static void checkKey(String key) {
    boolean bad = key.isEmpty() || key.startsWith("/") || key.endsWith("/") || key.contains("\\");
    for (String segment : key.split("/", -1)) {
      bad |= segment.isEmpty() || segment.equals(".") || segment.equals("..");
    }
    if (bad) {
      throw new IllegalArgumentException("'" + key + "' is not a storage key: use a relative path like jobs/42/report.json");
    }
  }

  private String where(String key) {
    return "gs://" + bucket + "/" + location.objectName(key);
  }

  /**
   * Passes exactly {@code length} bytes and fails instead of ending early or late, so that the client library
   * abandons the upload before it finalizes the object.
   */
  private static final class ExactLength extends FilterInputStream {
    private final long length;
    private final String key;
    private long seen;

    ExactLength(InputStream in, long length, String key) {
      super(in);
      if (length < 0) {
        throw new IllegalArgumentException("length of '" + key + "' is negative: " + length);
      }
      this.length = length;
      this.key = key;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int count) throws IOException {
      if (count == 0) {
        return 0;
      }
      // One byte past the end is asked for to notice a stream longer than declared.
      long left = length - seen;
      int n = super.read(buffer, offset, left >= count ? count : (int) left + 1);
      if (n < 0) {
        if (seen != length) {
          throw new IOException("'" + key + "' ended after " + seen + " bytes but " + length + " were declared; nothing was stored");
        }
        return -1;
      }
      seen += n;
      if (seen > length) {
        throw new IOException("'" + key + "' is longer than the " + length + " bytes declared; nothing was stored");
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      throw new IOException("skip is not supported");
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
