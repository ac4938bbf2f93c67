package dev.cleanroom.bridge.service;

/**
 * A file served to a caller.
 *
 * @param fileName the name offered to save it under (no path)
 * @param contentType its media type; outputs are always {@code application/octet-stream}, because they are
 *     whatever the notebook wrote and must never be rendered by a browser as a page of the bridge
 */
public record Download(String fileName, String contentType, byte[] content) {}
