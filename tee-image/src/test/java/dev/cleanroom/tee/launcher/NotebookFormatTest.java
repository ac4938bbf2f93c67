package dev.cleanroom.tee.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cleanroom.tee.TestNotebooks;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NotebookFormatTest {
  @Test
  void problem_aValidNotebook_none() {
    assertEquals(Optional.empty(), NotebookFormat.problem(TestNotebooks.of("1 + 1")));
  }

  @Test
  void problem_notJson() {
    assertEquals(Optional.of("the notebook is not JSON"), NotebookFormat.problem("print(1)".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void problem_nbformat3() {
    assertEquals(Optional.of("the notebook is not nbformat 4 (convert it with 'jupyter nbconvert --to notebook')"),
        NotebookFormat.problem("{\"nbformat\": 3, \"worksheets\": []}".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void problem_aCellWithoutSource() {
    assertEquals(Optional.of("cell 1 has no source text"),
        NotebookFormat.problem("{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"code\"}]}".getBytes(StandardCharsets.UTF_8)));
  }
}
