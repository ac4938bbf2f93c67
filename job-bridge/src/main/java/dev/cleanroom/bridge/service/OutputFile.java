package dev.cleanroom.bridge.service;

/**
 * One output of a finished job.
 *
 * @param path its key in the job folder, as the manifest names it ({@code executed.ipynb}, {@code outputs/model.txt})
 * @param sha256 hex, as the manifest and the attestation token vouch for it
 */
public record OutputFile(String path, long bytes, String sha256) {}
