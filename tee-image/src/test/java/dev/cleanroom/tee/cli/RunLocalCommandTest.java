package dev.cleanroom.tee.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLocalCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new RunLocalCommand(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void withoutADataset_isAUsageError() {
    assertEquals(2, run("notebook.ipynb", "--out", "job"));
    assertTrue(err().startsWith("dcr run-local: name the notebook, --dataset and --out"), err());
  }

  @Test
  void aTimeoutThatIsNotANumber_isAUsageError() {
    assertEquals(2, run("notebook.ipynb", "--dataset", "real.csv", "--out", "job", "--timeout", "soon"));
    assertTrue(err().startsWith("dcr run-local: --timeout takes a whole number, not 'soon'"), err());
  }

  @Test
  void cellError_readsTheFirstErrorOfTheExecutedNotebook(@TempDir Path dir) throws IOException {
    Path executed = Files.writeString(dir.resolve("executed.ipynb"), """
        {"nbformat": 4, "cells": [
          {"cell_type": "code", "source": "1", "outputs": [{"output_type": "stream", "name": "stdout", "text": "1"}]},
          {"cell_type": "code", "source": "x", "outputs": [{"output_type": "error", "ename": "CompilationError", "evalue": "cannot find symbol x", "traceback": []}]}
        ]}
        """);
    assertEquals(Optional.of("CompilationError: cannot find symbol x"), RunLocalCommand.cellError(executed));
  }
}
