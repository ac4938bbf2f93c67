package dev.cleanroom.kernel.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lock a saved notebook carries, as the bridge, the image build and the auditor read it. */
class NotebookLockTest {
  private static final String A = "a".repeat(64);
  private static final String B = "b".repeat(64);

  /** A notebook with one code cell per lock output, each output holding these (coordinates, sha256) pairs. */
  static byte[] notebook(List<List<String>> locks) {
    StringBuilder cells = new StringBuilder();
    for (List<String> lock : locks) {
      StringBuilder artifacts = new StringBuilder();
      for (int i = 0; i < lock.size(); i += 2) {
        artifacts.append(artifacts.isEmpty() ? "" : ",").append("{\"coordinates\":\"").append(lock.get(i))
            .append("\",\"sha256\":\"").append(lock.get(i + 1)).append("\"}");
      }
      cells.append(cells.isEmpty() ? "" : ",").append("{\"cell_type\":\"code\",\"source\":\"%maven x\",\"outputs\":["
          + "{\"output_type\":\"execute_result\",\"data\":{\"text/plain\":\"Added\",\"" + NotebookLock.MIME_TYPE
          + "\":{\"requested\":[],\"repository\":\"\",\"artifacts\":[" + artifacts + "]}}}]}");
    }
    return ("{\"nbformat\":4,\"cells\":[" + cells + "]}").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void of_isTheSortedUnionOfTheNotebooksLockOutputs() {
    NotebookLock lock = NotebookLock.of(notebook(List.of(
        List.of("org.example:words:jar:1.0", A),
        List.of("org.example:words:jar:1.0", A, "org.example:greeter:jar:1.0", B))));
    assertEquals(List.of(new NotebookLock.LockedJar("org.example:greeter:jar:1.0", B),
        new NotebookLock.LockedJar("org.example:words:jar:1.0", A)), lock.jars());
  }

  @Test
  void of_aNotebookWithoutMaven_isEmpty() {
    assertTrue(NotebookLock.of(notebook(List.of())).isEmpty());
  }

  @Test
  void of_oneJarWithTwoHashes_isRefusedNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NotebookLock.of(notebook(List.of(
        List.of("org.example:words:jar:1.0", A), List.of("org.example:words:jar:1.0", B)))));
    assertTrue(e.getMessage().contains("org.example:words:jar:1.0 two sha256s"), e.getMessage());
  }

  @Test
  void of_coordinatesThatWouldLeaveTheirFolder_areRefused() {
    for (String coordinates : List.of("..:x:jar:1.0", "org.example:../../etc:jar:1.0", "org/example:x:jar:1.0",
        "org.example:x:jar:1.0/..", "org.example:x")) {
      assertThrows(IllegalArgumentException.class,
          () -> NotebookLock.of(notebook(List.of(List.of(coordinates, A)))), coordinates);
    }
  }

  @Test
  void lockedJar_pathsFollowTheMavenLayout() {
    NotebookLock.LockedJar plain = new NotebookLock.LockedJar("org.apache.commons:commons-math3:jar:3.6.1", A);
    assertEquals("org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar", plain.repositoryPath());
    assertEquals("org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.pom", plain.pomPath());
    assertEquals("org.apache.commons_commons-math3-3.6.1.jar", plain.fileName());
    assertEquals("org.apache.commons", plain.groupId());
    assertEquals("org.example_native-1.0-linux.jar",
        new NotebookLock.LockedJar("org.example:native:jar:linux:1.0", A).fileName());
    assertEquals(plain.fileName(), NotebookLock.fileNameOf("org.apache.commons:commons-math3:3.6.1"));
  }

  @Test
  void sha256_namesTheJarsAndTheirBytes() {
    NotebookLock one = new NotebookLock(List.of(new NotebookLock.LockedJar("org.example:words:jar:1.0", A)));
    NotebookLock other = new NotebookLock(List.of(new NotebookLock.LockedJar("org.example:words:jar:1.0", B)));
    assertEquals(one.sha256(), new NotebookLock(one.jars()).sha256());
    assertNotEquals(one.sha256(), other.sha256());
  }
}
