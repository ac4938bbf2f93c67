package dev.cleanroom.bridge.backend;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Where notebooks, inputs and job results live: a local folder (embedded default) or a Google Cloud
 * Storage bucket (production). Keys are relative, '/'-separated paths such as {@code jobs/42/report.json}.
 *
 * <p>The TEE never gets credentials to this storage: it gets short-lived URLs for exactly the objects
 * of its job ({@link #readUrl}, {@link #writeUrl}).
 */
public interface ObjectStorage {
  void put(String key, InputStream content, long length) throws IOException;

  InputStream get(String key) throws IOException;

  boolean exists(String key) throws IOException;

  /** The object's size in bytes; backends that know it without reading the object should say so. */
  default long size(String key) throws IOException {
    try (InputStream in = get(key)) {
      return in.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }

  List<String> list(String prefix) throws IOException;

  void delete(String key) throws IOException;

  /** A URL the TEE may GET {@code key} from until {@code validFor} has passed. */
  URI readUrl(String key, Duration validFor) throws IOException;

  /** A URL the TEE may PUT {@code key} to until {@code validFor} has passed. */
  URI writeUrl(String key, Duration validFor) throws IOException;
}
