package dev.cleanroom.kernel.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotebookFileTest {
  @TempDir Path dir;

  private Path write(String name, String json) throws Exception {
    return Files.writeString(dir.resolve(name), json);
  }

  @Test
  void theNotebookJupyterLabNames_isReadAsSaved() throws Exception {
    Path saved = write("study.ipynb", "{\"cells\": [], \"nbformat\": 4}\n");
    NotebookFile file = NotebookFile.read(Optional.empty(), Map.of(NotebookFile.SESSION_VARIABLE, saved.toString()));
    assertEquals("study.ipynb", file.fileName());
    assertArrayEquals(Files.readAllBytes(saved), file.bytes());
    assertEquals(Files.getLastModifiedTime(saved).toInstant(), file.savedAt());
  }

  @Test
  void aNamedNotebook_winsOverTheSessionsOne() throws Exception {
    Path named = write("other.ipynb", "{\"cells\": []}");
    Path session = write("study.ipynb", "{\"cells\": []}");
    NotebookFile file = NotebookFile.read(Optional.of(named.toString()), Map.of(NotebookFile.SESSION_VARIABLE, session.toString()));
    assertEquals("other.ipynb", file.fileName());
  }

  @Test
  void noNotebookKnown_saysHowToNameIt() {
    JobBridgeException e = assertThrows(JobBridgeException.class, () -> NotebookFile.read(Optional.empty(), Map.of()));
    assertEquals("unknown_notebook", e.code());
    assertTrue(e.getMessage().contains("%submit my-notebook.ipynb"), e.getMessage());
  }

  @Test
  void aFileThatIsNotANotebook_isRefusedBeforeAnythingIsSent() throws Exception {
    Path csv = write("rows.csv", "a,b\n");
    assertEquals("unknown_notebook", assertThrows(JobBridgeException.class,
        () -> NotebookFile.read(Optional.of(csv.toString()), Map.of())).code());
    Path missing = dir.resolve("gone.ipynb");
    JobBridgeException e = assertThrows(JobBridgeException.class, () -> NotebookFile.read(Optional.of(missing.toString()), Map.of()));
    assertTrue(e.getMessage().contains("Save it first"), e.getMessage());
  }

  @Test
  void datasetsOpened_areTheLiteralNamesInCodeCells_notInMarkdown() throws Exception {
    Path saved = write("study.ipynb", """
        {"nbformat": 4, "cells": [
          {"cell_type": "markdown", "source": ["We use Dcr.dataset(\\"notes\\") here"]},
          {"cell_type": "code", "source": ["var ins = Dcr.dataset(\\"insurance\\");\\n", "var b = Dcr . dataset( \\"births\\" );"]},
          {"cell_type": "code", "source": "Dcr.dataset(\\"insurance\\").dp().count(0.1)"}
        ]}""");
    assertEquals(Set.of("births", "insurance"), NotebookFile.read(Optional.of(saved.toString()), Map.of()).datasetsOpened());
  }

  @Test
  void datasetsOpened_ofBrokenJson_saysItIsNotANotebook() throws Exception {
    Path saved = write("study.ipynb", "{\"cells\": [");
    JobBridgeException e = assertThrows(JobBridgeException.class,
        () -> NotebookFile.read(Optional.of(saved.toString()), Map.of()).datasetsOpened());
    assertEquals("invalid_notebook", e.code());
  }
}
