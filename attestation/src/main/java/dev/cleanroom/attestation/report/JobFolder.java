package dev.cleanroom.attestation.report;

import dev.cleanroom.attestation.AttestationException;
import dev.cleanroom.attestation.manifest.JobManifest;
import dev.cleanroom.attestation.manifest.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The folder a stage-2 job returns, and what {@code dcr verify <dir>} reads:
 *
 * <pre>
 *   notebook.ipynb    the submitted notebook the image was built from (sha256 = manifest "notebook")
 *   executed.ipynb    the executed notebook: an output
 *   outputs/...       the files the notebook wrote: outputs
 *   manifest.json     the canonical manifest; its sha256 is the token's nonce
 *   token.jwt         the TEE's token, as the launcher socket returned it
 *   jwks.json         the issuer's keys, archived by the job bridge when the job finished
 *   report.json       manifest + token + archived keys and their origin, in one file
 * </pre>
 *
 * <p>Invariant: every regular file in the folder other than the five record files is an output, and
 * {@link #hashOutputs()} is the one place that lists and hashes them: the launcher builds the manifest's
 * outputs with it and the verifier compares them with it, so a file added, removed or changed after the
 * run cannot go unnoticed. Symbolic links and other special files are refused, never followed.
 */
public final class JobFolder {
  public static final String NOTEBOOK = "notebook.ipynb";
  public static final String EXECUTED_NOTEBOOK = "executed.ipynb";
  public static final String OUTPUTS = "outputs";
  public static final String MANIFEST = "manifest.json";
  public static final String TOKEN = "token.jwt";
  public static final String JWKS = "jwks.json";
  public static final String REPORT = "report.json";

  private static final Set<String> RECORD_FILES = Set.of(NOTEBOOK, MANIFEST, TOKEN, JWKS, REPORT);

  private final Path dir;

  private JobFolder(Path dir) {
    this.dir = dir;
  }

  public static JobFolder at(Path dir) {
    return new JobFolder(dir.toAbsolutePath().normalize());
  }

  public Path dir() {
    return dir;
  }

  public Path notebook() {
    return dir.resolve(NOTEBOOK);
  }

  public Path executedNotebook() {
    return dir.resolve(EXECUTED_NOTEBOOK);
  }

  /** Where an output named {@code outputs/<name>} in the manifest lives. */
  public Path outputs() {
    return dir.resolve(OUTPUTS);
  }

  /** The file of a manifest output key, refusing a key that could point outside the folder. */
  public Path output(String key) {
    JobManifest.requireOutputPath(key);
    if (RECORD_FILES.contains(key)) {
      throw new IllegalArgumentException("'" + key + "' is a record file of the job folder, not an output");
    }
    return dir.resolve(key);
  }

  /**
   * Every output file (all regular files but the record files) by its manifest key, with its sha256. A key is the
   * file's path decoded by the JVM; {@link JobManifest#requireOutputPath} admits only ASCII, which every locale
   * decodes alike, so a name of other bytes is refused whatever {@code LANG} says, and never decoded into another
   * file's key. Refusals name no file: an unreleased output's name may carry data.
   */
  public SortedMap<String, Sha256> hashOutputs() throws IOException {
    TreeMap<String, Sha256> hashes = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(p -> !p.equals(dir)).sorted().toList();
    }
    for (Path file : files) {
      String key = key(file);
      if (Files.isSymbolicLink(file)) {
        throw new AttestationException("unsafe_output", "the job folder holds a symbolic link; it may hold only plain files");
      }
      if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS) || RECORD_FILES.contains(key)) {
        continue;
      }
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new AttestationException("unsafe_output", "the job folder holds a special file; it may hold only plain files");
      }
      try {
        JobManifest.requireOutputPath(key);
      } catch (IllegalArgumentException e) {
        throw new AttestationException("unsafe_output", "the job folder holds a file whose name is not an output name: " + e.getMessage());
      }
      if (hashes.size() == JobManifest.MAX_OUTPUTS) {
        throw new AttestationException("unsafe_output", "the job folder holds more than " + JobManifest.MAX_OUTPUTS + " outputs");
      }
      hashes.put(key, Sha256.of(file));
    }
    return Collections.unmodifiableSortedMap(hashes);
  }

  private String key(Path file) {
    StringJoiner key = new StringJoiner("/");
    for (Path name : dir.relativize(file)) {
      key.add(name.toString());
    }
    return key.toString();
  }

  /** What the launcher writes after the run: the canonical manifest and the token over it. */
  public void writeLauncherFiles(JobManifest manifest, String token) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve(MANIFEST), manifest.canonicalBytes());
    Files.writeString(dir.resolve(TOKEN), AttestationReport.requireCompactJwt(token) + "\n", StandardCharsets.US_ASCII);
  }

  /** Writes {@code report.json} and the record files it contains, so each can be read on its own. */
  public void writeReport(AttestationReport report) throws IOException {
    writeLauncherFiles(report.manifest(), report.token());
    if (report.jwks().isPresent()) {
      Files.writeString(dir.resolve(JWKS), report.jwks().get().json() + "\n", StandardCharsets.UTF_8);
    }
    Files.write(dir.resolve(REPORT), report.toBytes());
  }

  /**
   * Reads the folder's report: {@code report.json}, or — in a folder straight from the launcher — the
   * manifest and token files. Where both exist they must say the same.
   */
  public AttestationReport readReport() throws IOException {
    Path reportFile = dir.resolve(REPORT);
    Path manifestFile = dir.resolve(MANIFEST);
    Path tokenFile = dir.resolve(TOKEN);
    if (Files.isRegularFile(reportFile)) {
      AttestationReport report = AttestationReport.fromBytes(Files.readAllBytes(reportFile));
      if (Files.exists(manifestFile) && !Arrays.equals(Files.readAllBytes(manifestFile), report.manifest().canonicalBytes())) {
        throw new AttestationException("invalid_report", MANIFEST + " differs from the manifest in " + REPORT);
      }
      if (Files.exists(tokenFile) && !Files.readString(tokenFile, StandardCharsets.US_ASCII).strip().equals(report.token())) {
        throw new AttestationException("invalid_report", TOKEN + " differs from the token in " + REPORT);
      }
      return report;
    }
    if (!Files.isRegularFile(manifestFile) || !Files.isRegularFile(tokenFile)) {
      throw new AttestationException("invalid_report",
          dir + " is not a job folder: it has neither " + REPORT + " nor " + MANIFEST + " and " + TOKEN);
    }
    JobManifest manifest;
    try {
      manifest = JobManifest.fromJson(Files.readAllBytes(manifestFile));
    } catch (IllegalArgumentException e) {
      throw new AttestationException("invalid_manifest", MANIFEST + ": " + e.getMessage());
    }
    return new AttestationReport(manifest, Files.readString(tokenFile, StandardCharsets.US_ASCII), java.util.Optional.empty());
  }
}
