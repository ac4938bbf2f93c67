package dev.cleanroom.tee.launcher;

import dev.cleanroom.attestation.report.JobFolder;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Moves a job's files in and out of a container that has no mounts (Confidential Space), as its {@link JobPlan}
 * says: inputs in before the notebook runs, the job folder out after the token is written, as one zip through a
 * signed PUT URL (result names are not known in advance, so no per-file URLs can be granted; one object is
 * also all a leaked URL could overwrite). Plain HTTP with the JDK's client: no Google library in the image.
 *
 * <p>Invariant: no URL, token or response body appears in a message; the caller checks the inputs' content
 * ({@link LocalFolderInputs}) before the notebook sees it, so a source serving other bytes only fails the job.
 */
final class CloudTransfer {
  private final CloudHttp http;
  private final CloudEndpoints endpoints;
  private final WorkloadIdentity identity;

  CloudTransfer(CloudHttp http, CloudEndpoints endpoints, WorkloadIdentity identity) {
    this.http = http;
    this.endpoints = endpoints;
    this.identity = identity;
  }

  JobPlan plan(URI planUrl) throws IOException {
    HttpRequest request = CloudHttp.request(planUrl).GET().build();
    return JobPlan.parse(http.exchange("fetch the job plan", client ->
        CloudHttp.successful(client.send(request, HttpResponse.BodyHandlers.ofByteArray())).body()));
  }

  /** Downloads every input of {@code plan} under {@code inputDir} by its name, then makes the folder read-only. */
  void download(JobPlan plan, Path inputDir) throws IOException {
    for (Map.Entry<String, JobPlan.Source> input : plan.inputs().entrySet()) {
      JobPlan.Source source = input.getValue();
      HttpRequest request = source.inCloudStorage()
          ? CloudHttp.request(mediaUrl(source.url())).header("Authorization", "Bearer "
              + identity.accessToken(source.identityProvider().orElseThrow(), source.serviceAccount())).GET().build()
          : CloudHttp.request(source.url()).GET().build();
      Path file = inputDir.resolve(input.getKey()).normalize();
      if (!file.startsWith(inputDir)) {
        throw new IOException("input '" + input.getKey() + "' is not a path inside the input folder");
      }
      Files.createDirectories(file.getParent());
      // A download cut off midway is tried again from the start, over what it had written. A failure to write the
      // file is this machine's, not the network's: it is not tried again, and it keeps its reason.
      // A Cloud Storage 403 may be the provider's grant on this dataset's object still propagating.
      CloudHttp.Exchange<Long> fetch = client -> {
        try (InputStream in = CloudHttp.successful(client.send(request, HttpResponse.BodyHandlers.ofInputStream())).body();
            OutputStream out = LocalFileOutput.to(file)) {
          return in.transferTo(out);
        }
      };
      try {
        http.exchangeWhileGrantPropagates("fetch input '" + input.getKey() + "'",
            source.inCloudStorage() ? Set.of(403) : Set.of(), fetch);
      } catch (UncheckedIOException e) {
        throw new IOException("tried to write input '" + input.getKey() + "' but failed because: "
            + e.getCause().getMessage(), e.getCause());
      }
    }
    readOnly(inputDir);
  }

  /** Zips {@code jobDir} into {@code scratch} and PUTs it to {@code url}; returns the archive's size. */
  long upload(Path jobDir, URI url, Path scratch) throws IOException {
    Files.createDirectories(scratch);
    // A new file: the notebook's process, whose working directory the scratch folder is, cannot have planted it.
    Path archive = Files.createTempFile(scratch, "job-folder", ".zip");
    zip(jobDir, archive);
    // No Content-Type (nor Content-MD5 or x-goog-*): the bridge's V4 URL signs only the host, and Cloud Storage
    // refuses a signed request that sends one of those headers unsigned. The object is stored as octet-stream.
    HttpRequest request = CloudHttp.upload(url, Files.size(archive))
        .PUT(HttpRequest.BodyPublishers.ofFile(archive)).build();
    http.exchange("upload the job folder", client ->
        CloudHttp.successful(client.send(request, HttpResponse.BodyHandlers.discarding())));
    return Files.size(archive);
  }

  /** The Cloud Storage JSON API's media download of {@code gs://bucket/object}. */
  URI mediaUrl(URI gs) {
    String object = gs.getPath().substring(1);
    return CloudEndpoints.at(endpoints.storage(), "/storage/v1/b/" + encode(gs.getHost()) + "/o/" + encode(object) + "?alt=media");
  }

  static void zip(Path dir, Path archive) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted((a, b) -> {
        // The token last, as the launcher writes it: whoever unpacks in order sees it only once all else is there.
        boolean aToken = a.getFileName().toString().equals(JobFolder.TOKEN) && a.getParent().equals(dir);
        boolean bToken = b.getFileName().toString().equals(JobFolder.TOKEN) && b.getParent().equals(dir);
        return aToken != bToken ? Boolean.compare(aToken, bToken) : a.compareTo(b);
      }).toList();
    }
    try (OutputStream out = Files.newOutputStream(archive, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS); ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Path file : files) {
        StringJoiner name = new StringJoiner("/");
        dir.relativize(file).forEach(part -> name.add(part.toString()));
        zip.putNextEntry(new ZipEntry(name.toString()));
        Files.copy(file, zip);
        zip.closeEntry();
      }
    }
  }

  /** A file whose I/O errors are unchecked, so that the retries around a download let them through at once. */
  private static final class LocalFileOutput extends FilterOutputStream {
    private LocalFileOutput(OutputStream out) {
      super(out);
    }

    static OutputStream to(Path file) {
      try {
        return new LocalFileOutput(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void write(int b) {
      try {
        out.write(b);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      try {
        out.write(bytes, offset, length);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void readOnly(Path dir) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(dir)) {
      paths = walk.sorted((a, b) -> b.compareTo(a)).toList(); // children before their folder
    }
    for (Path path : paths) {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
          Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? "r-xr-xr-x" : "r--r--r--"));
    }
  }

  private static String encode(String part) {
    return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
