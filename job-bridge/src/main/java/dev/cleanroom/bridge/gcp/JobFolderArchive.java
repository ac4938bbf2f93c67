package dev.cleanroom.bridge.gcp;

import dev.cleanroom.attestation.report.JobFolder;
import dev.cleanroom.bridge.backend.JobObjects;
import dev.cleanroom.bridge.backend.ObjectStorage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * The job folder as a Confidential Space launcher uploads it: one zip ({@link JobObjects#resultArchive}) through a
 * signed PUT URL, unpacked here into {@code jobs/<id>/result/}, where the bridge reads every job folder.
 *
 * <p>Invariant: the token is stored last, so that a job folder whose token is there is complete (the bridge reads
 * the result once manifest and token exist); entries are plain relative paths, never the files the bridge writes
 * itself (report, JWKS archive), and the whole is capped, so an archive cannot write outside the job's result.
 */
final class JobFolderArchive {
  /** The most an archive may unpack to; a job's outputs are capped far below (DCR_MAX_OUTPUT_BYTES). */
  static final long MAX_UNPACKED_BYTES = 4L * 1024 * 1024 * 1024;
  static final int MAX_ENTRIES = 10_000;
  private static final int MAX_TOKEN_BYTES = 64 * 1024;

  private JobFolderArchive() {}

  /** The archive itself is not a job folder (as opposed to storage failing, which is worth trying again). */
  static final class InvalidArchiveException extends IOException {
    private static final long serialVersionUID = 1L;

    InvalidArchiveException(String message) {
      super(message);
    }
  }

  /**
   * Unpacks the job's archive into its result folder, unless there is no archive or that was done already.
   *
   * @return whether the result folder now holds an unpacked job folder
   */
  static boolean unpack(ObjectStorage storage, String jobId) throws IOException {
    if (storage.exists(JobObjects.resultFile(jobId, JobFolder.TOKEN))) {
      return true;
    }
    if (!storage.exists(JobObjects.resultArchive(jobId))) {
      return false;
    }
    byte[] token = null;
    Set<String> seen = new HashSet<>();
    long total = 0;
    Path scratch = Files.createTempFile("dcr-result-", ".part");
    try (InputStream in = storage.get(JobObjects.resultArchive(jobId)); ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
        if (entry.isDirectory()) {
          continue;
        }
        String name = entry.getName();
        refuse(jobId, name, seen);
        if (name.equals(JobFolder.TOKEN)) {
          token = zip.readNBytes(MAX_TOKEN_BYTES + 1);
          if (token.length > MAX_TOKEN_BYTES) {
            throw new InvalidArchiveException("the job folder archive of job " + jobId + " holds a token of more than " + MAX_TOKEN_BYTES + " bytes");
          }
          continue;
        }
        long size;
        try (OutputStream out = Files.newOutputStream(scratch)) {
          size = copy(zip, out, MAX_UNPACKED_BYTES - total, jobId);
        }
        total += size;
        try (InputStream file = Files.newInputStream(scratch)) {
          storage.put(JobObjects.resultFile(jobId, name), file, size);
        }
      }
    } catch (ZipException e) {
      throw new InvalidArchiveException("the job folder archive of job " + jobId + " is not a valid zip");
    } finally {
      Files.deleteIfExists(scratch);
    }
    if (token == null) {
      throw new InvalidArchiveException("the job folder archive of job " + jobId + " holds no " + JobFolder.TOKEN
          + "; the launcher uploads the folder only once the token is written");
    }
    storage.put(JobObjects.resultFile(jobId, JobFolder.TOKEN), new ByteArrayInputStream(token), token.length);
    return true;
  }

  private static void refuse(String jobId, String name, Set<String> seen) throws IOException {
    String problem = null;
    try {
      GcsStorage.checkKey(name);
    } catch (IllegalArgumentException e) {
      problem = "an entry that is not a plain relative path";
    }
    if (problem == null && (name.equals(JobFolder.REPORT) || name.equals(JobFolder.JWKS))) {
      problem = "'" + name + "', which only the bridge writes";
    }
    if (problem == null && !seen.add(name)) {
      problem = "one name twice"; // not which: an output's name may carry data, and this goes to the operator's log
    }
    if (problem == null && seen.size() > MAX_ENTRIES) {
      problem = "more than " + MAX_ENTRIES + " files";
    }
    if (problem != null) {
      throw new InvalidArchiveException("the job folder archive of job " + jobId + " holds " + problem + "; nothing more was unpacked");
    }
  }

  private static long copy(InputStream in, OutputStream out, long limit, String jobId) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long copied = 0;
    for (int n; (n = in.read(buffer)) >= 0; ) {
      copied += n;
      if (copied > limit) {
        throw new InvalidArchiveException("the job folder archive of job " + jobId + " unpacks to more than " + MAX_UNPACKED_BYTES + " bytes");
      }
      out.write(buffer, 0, n);
    }
    return copied;
  }
}
