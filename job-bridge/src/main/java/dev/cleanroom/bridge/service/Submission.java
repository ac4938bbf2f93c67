package dev.cleanroom.bridge.service;

import java.util.List;

/**
 * A notebook sent for execution: its file name, the datasets it reads, and the file's bytes exactly as sent.
 */
public record Submission(String name, List<String> datasets, byte[] notebook) {
  public Submission {
    datasets = List.copyOf(datasets);
    notebook = notebook.clone();
  }

  @Override
  public byte[] notebook() {
    return notebook.clone();
  }
}
