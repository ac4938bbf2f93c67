package dev.cleanroom.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/** The files of an image in an OCI layout, read from its layer blobs: what a container of it would see. */
final class ImageFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ImageFiles() {}

  /** Every path in the image (without the leading '/') with its tar entry, over all layers. */
  static Map<String, TarArchiveEntry> entries(Path layout) throws IOException {
    Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
    read(layout, name -> false, (entry, bytes) -> entries.put(entry.getName().replaceFirst("^/", ""), entry));
    return entries;
  }

  /** The content of the files whose path (without the leading '/') {@code wanted} accepts. */
  static Map<String, byte[]> contents(Path layout, Predicate<String> wanted) throws IOException {
    Map<String, byte[]> contents = new LinkedHashMap<>();
    read(layout, wanted, (entry, bytes) -> {
      if (bytes != null) {
        contents.put(entry.getName().replaceFirst("^/", ""), bytes);
      }
    });
    return contents;
  }

  private interface Visitor {
    void visit(TarArchiveEntry entry, byte[] bytes);
  }

  private static void read(Path layout, Predicate<String> wanted, Visitor visitor) throws IOException {
    JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
    JsonNode manifest = JSON.readTree(blob(layout, index.path("manifests").get(0).path("digest").asText()).toFile());
    for (JsonNode layer : manifest.path("layers")) {
      try (InputStream file = Files.newInputStream(blob(layout, layer.path("digest").asText()));
          TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(file))) {
        for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
          boolean keep = entry.isFile() && wanted.test(entry.getName().replaceFirst("^/", ""));
          visitor.visit(entry, keep ? tar.readAllBytes() : null);
        }
      }
    }
  }

  /** The image config as JSON. */
  static JsonNode config(Path layout) throws IOException {
    JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
    JsonNode manifest = JSON.readTree(blob(layout, index.path("manifests").get(0).path("digest").asText()).toFile());
    return JSON.readTree(blob(layout, manifest.path("config").path("digest").asText()).toFile());
  }

  private static Path blob(Path layout, String digest) {
    return layout.resolve("blobs").resolve("sha256").resolve(digest.substring("sha256:".length()));
  }
}
