package dev.cleanroom.tee.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cleanroom.attestation.manifest.Sha256;
import dev.cleanroom.tee.fs.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * An OCI image layout folder ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/...}) holding one
 * image. Jib writes a layout as a tar; {@link #unpack} turns it into the folder that umoci, skopeo and the
 * simulator read.
 *
 * <p>Invariant: an {@code OciLayout} has been checked: its index names one manifest, and that manifest's
 * and its config's blobs have the sha256 their names say. So {@link #digest()} is the digest of the image
 * the folder really holds, whatever anyone claims about it.
 */
public record OciLayout(Path dir, String digest, String configDigest, String reference, Map<String, String> labels,
    List<String> entrypoint, Map<String, String> environment, String user) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public OciLayout {
    labels = Map.copyOf(labels);
    entrypoint = List.copyOf(entrypoint);
    environment = Map.copyOf(environment);
  }

  /** Unpacks an OCI layout tar into {@code dir}, which must not exist yet, and reads it. */
  public static OciLayout unpack(Path tar, Path dir) throws IOException {
    if (Files.exists(dir)) {
      throw new IOException(dir + " already exists; give a new folder for the image layout");
    }
    Path parent = dir.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path staging = Files.createTempDirectory(parent, "." + dir.getFileName() + ".tmp");
    try {
      try (InputStream file = Files.newInputStream(tar); TarArchiveInputStream in = new TarArchiveInputStream(file)) {
        for (TarArchiveEntry entry; (entry = in.getNextEntry()) != null; ) {
          Path target = staging.resolve(entry.getName()).normalize();
          if (!target.startsWith(staging) || !(entry.isFile() || entry.isDirectory())) {
            throw new IOException("the image tar holds an unsafe entry '" + entry.getName() + "'");
          }
          if (entry.isDirectory()) {
            Files.createDirectories(target);
          } else {
            Files.createDirectories(target.getParent());
            Files.copy(in, target);
          }
        }
      }
      read(staging);
      Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      FileTrees.delete(staging);
    }
    return read(dir);
  }

  /** Reads and checks a layout folder. */
  public static OciLayout read(Path dir) throws IOException {
    JsonNode index = json(dir.resolve("index.json"));
    JsonNode manifests = index.path("manifests");
    if (!manifests.isArray() || manifests.size() != 1) {
      throw new IOException(dir + "/index.json must name exactly one image manifest");
    }
    JsonNode descriptor = manifests.get(0);
    String digest = descriptor.path("digest").asText();
    JsonNode manifest = JSON.readTree(blob(dir, digest));
    String configDigest = manifest.path("config").path("digest").asText();
    JsonNode config = JSON.readTree(blob(dir, configDigest));
    for (JsonNode layer : manifest.path("layers")) {
      if (!Files.isRegularFile(blobPath(dir, layer.path("digest").asText()))) {
        throw new IOException(dir + " lacks the layer " + layer.path("digest").asText());
      }
    }
    Map<String, String> labels = new LinkedHashMap<>();
    config.path("config").path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    List<String> entrypoint = new ArrayList<>();
    config.path("config").path("Entrypoint").forEach(a -> entrypoint.add(a.asText()));
    Map<String, String> environment = new LinkedHashMap<>();
    for (JsonNode variable : config.path("config").path("Env")) {
      String[] pair = variable.asText().split("=", 2);
      environment.put(pair[0], pair.length > 1 ? pair[1] : "");
    }
    String reference = descriptor.path("annotations").path("org.opencontainers.image.ref.name").asText("");
    return new OciLayout(dir, digest, configDigest, reference, labels, entrypoint, environment,
        config.path("config").path("User").asText(""));
  }

  private static byte[] blob(Path dir, String digest) throws IOException {
    Path file = blobPath(dir, digest);
    byte[] bytes = Files.readAllBytes(file);
    if (!Sha256.of(bytes).ociDigest().equals(digest)) {
      throw new IOException(dir + " holds a blob whose content is not its name " + digest);
    }
    return bytes;
  }

  private static Path blobPath(Path dir, String digest) throws IOException {
    if (!digest.matches("sha256:[0-9a-f]{64}")) {
      throw new IOException(dir + " names a blob by '" + digest + "', not a sha256 digest");
    }
    return dir.resolve("blobs").resolve("sha256").resolve(digest.substring("sha256:".length()));
  }

  private static JsonNode json(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file.getParent() + " is not an OCI image layout: it has no " + file.getFileName());
    }
    return JSON.readTree(file.toFile());
  }
}
