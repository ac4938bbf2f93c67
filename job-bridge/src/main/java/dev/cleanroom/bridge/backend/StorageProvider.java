package dev.cleanroom.bridge.backend;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Opens an {@link ObjectStorage} for a location URI by its scheme ({@code gs://bucket/prefix}); registered for
 * {@link ServiceLoader}. A plain path is always {@link LocalStorage}.
 */
public interface StorageProvider {
  String scheme();

  ObjectStorage open(URI location, Map<String, String> options) throws IOException;

  static Optional<StorageProvider> forScheme(String scheme) {
    return ServiceLoader.load(StorageProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.scheme().equals(scheme))
        .findFirst();
  }
}
