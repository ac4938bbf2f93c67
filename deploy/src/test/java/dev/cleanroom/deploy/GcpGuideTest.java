package dev.cleanroom.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/gcp.md is pasted into a shell block by block, top to bottom: every variable a command uses must have been set
 * by a command above it (or on the same line), so that no command runs with an empty name.
 */
class GcpGuideTest {
  private static final Path GUIDE = Path.of(System.getProperty("dcr.chart", "../helm/cleanroom")).resolve("../../docs/gcp.md")
      .normalize();
  private static final Pattern ASSIGNMENT = Pattern.compile("(?:^|[;&|]\\s*|\\bexport\\s+|\\s)([A-Za-z_][A-Za-z0-9_]*)=");
  private static final Pattern LOOP = Pattern.compile("\\bfor\\s+([A-Za-z_][A-Za-z0-9_]*)\\s+in\\b");
  private static final Pattern USE = Pattern.compile("(?<!\\\\)\\$\\{?([A-Za-z_][A-Za-z0-9_]*)");

  /** The guide's shell commands in order, a line continued with a backslash joined to the next. */
  static List<String> commands(String markdown) {
    List<String> commands = new ArrayList<>();
    boolean inShell = false;
    StringBuilder pending = new StringBuilder();
    for (String line : markdown.split("\n", -1)) {
      String fence = line.strip();
      if (fence.startsWith("```")) {
        inShell = !inShell && fence.equals("```bash");
        continue;
      }
      if (!inShell) {
        continue;
      }
      String code = line.replaceFirst("\\s+#.*$", "").replaceFirst("^\\s*#.*$", "");
      if (code.endsWith("\\")) {
        pending.append(code, 0, code.length() - 1).append(' ');
        continue;
      }
      commands.add(pending.append(code).toString());
      pending.setLength(0);
    }
    return commands;
  }

  /** Variables used before any command set them, with the command that used each. */
  static List<String> usedBeforeSet(List<String> commands) {
    Set<String> set = new HashSet<>();
    List<String> problems = new ArrayList<>();
    for (String command : commands) {
      // The shell expands nothing between single quotes.
      String expanded = command.replaceAll("'[^']*'", "''");
      Matcher a = ASSIGNMENT.matcher(expanded);
      while (a.find()) {
        set.add(a.group(1));
      }
      Matcher loop = LOOP.matcher(expanded);
      while (loop.find()) {
        set.add(loop.group(1));
      }
      Matcher use = USE.matcher(expanded);
      while (use.find()) {
        if (!set.contains(use.group(1))) {
          problems.add("$" + use.group(1) + " in: " + command.strip());
        }
      }
    }
    return problems;
  }

  @Test
  void everyVariableOfTheGuide_isSetBeforeItIsUsed() throws IOException {
    List<String> commands = commands(Files.readString(GUIDE));

    assertTrue(commands.size() > 40, "the guide's shell blocks were read: " + commands.size() + " commands");
    assertEquals(List.of(), usedBeforeSet(commands));
  }

  @Test
  void usedBeforeSet_findsAVariableSetOnlyFurtherDown() {
    List<String> commands = commands("""
        ```bash
        gcloud storage cp real.csv "gs://$DATA_BUCKET/real.csv" --project='$NOT_EXPANDED'
        ```
        text
        ```bash
        DATA_BUCKET=insurer-cleanroom   # the bucket
        echo "$DATA_BUCKET" \\
          "${BUCKET}"
        for role in a b; do echo "$role"; done
        ```
        """);

    assertEquals(List.of("$DATA_BUCKET in: gcloud storage cp real.csv \"gs://$DATA_BUCKET/real.csv\" --project='$NOT_EXPANDED'",
        "$BUCKET in: echo \"$DATA_BUCKET\"    \"${BUCKET}\""), usedBeforeSet(commands));
  }
}
