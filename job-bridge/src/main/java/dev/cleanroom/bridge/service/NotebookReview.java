package dev.cleanroom.bridge.service;

import dev.cleanroom.bridge.libraries.JobLibraries.Library;
import dev.cleanroom.kernel.review.CodeReview;
import java.util.List;

/**
 * What a reviewer reads beside the notebook: each code cell as JShell parses it with what reads otherwise flagged,
 * and every library of the notebook's own (its {@code %maven} lock) that the job's image will carry.
 */
public record NotebookReview(List<CodeReview> cells, List<Library> libraries) {
  public NotebookReview {
    cells = List.copyOf(cells);
    libraries = List.copyOf(libraries);
  }
}
