package dev.cleanroom.bridge.gcp;

import com.google.cloud.NoCredentials;
import com.google.cloud.storage.StorageOptions;
import dev.cleanroom.bridge.backend.ObjectStorage;
import dev.cleanroom.bridge.backend.StorageProvider;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --storage gs://BUCKET/PREFIX}: the job storage in Cloud Storage ({@link GcsStorage}), registered in
 * {@code META-INF/services}. Its settings are the bridge's environment: {@code DCR_GCP_PROJECT} (else the
 * credentials' project) and {@code DCR_GCP_STORAGE_URL_SIGNER} ({@link GcpConfig}), with Application Default
 * Credentials; or, when {@code STORAGE_EMULATOR_HOST} names a Cloud Storage emulator (Google's own convention for
 * its client libraries), that emulator without credentials, for trials and tests.
 */
public final class GcsStorageProvider implements StorageProvider {
  public static final String SCHEME = "gs";
  /** The variable Google's client libraries and tools read for a Cloud Storage emulator, e.g. {@code 127.0.0.1:4443}. */
  public static final String EMULATOR_HOST = "STORAGE_EMULATOR_HOST";

  private static final System.Logger LOG = System.getLogger(GcsStorageProvider.class.getName());

  @Override
  public String scheme() {
    return SCHEME;
  }

  @Override
  public ObjectStorage open(URI location, Map<String, String> settings) throws IOException {
    GcsLocation where = GcsLocation.of(location);
    GcpConfig config = GcpConfig.from(settings);
    String emulator = settings.getOrDefault(EMULATOR_HOST, "").strip();
    if (!emulator.isEmpty()) {
      LOG.log(System.Logger.Level.WARNING, "Job storage {0} is on the Cloud Storage emulator at {1} ({2}): no"
          + " credentials, and no signed URLs", where, emulator, EMULATOR_HOST);
      return new GcsStorage(StorageOptions.http()
          .setHost(emulator.contains("://") ? emulator : "http://" + emulator)
          .setProjectId(config.get(GcpConfig.PROJECT).orElse("emulator"))
          .setCredentials(NoCredentials.getInstance())
          .build()
          .getService(), where, Optional.empty());
    }
    return GcsStorage.create(config.get(GcpConfig.PROJECT), where, config.urlSigner());
  }
}
