package dev.cleanroom.kernel.review;

import java.util.Locale;

/**
 * One spot of a code cell where what JShell parses differs from what a reader sees.
 *
 * @param cell the cell's number in the notebook, from 1, markdown cells counted (as the review view numbers them)
 * @param line the line in the cell as saved, from 1
 * @param column the column on that line as saved, from 1, in characters (code points)
 * @param offset where the spot starts in the cell's source as saved, in UTF-16 units (as a browser indexes text)
 * @param text the spot as saved: the escape's characters, or the one hidden character
 * @param parsedOffset where the spot is in {@link CodeReview#parsed()}, in UTF-16 units
 * @param parsedLength how long it is there
 * @param codePoint the character javac reads at the spot
 * @param inComment whether the spot is in a comment, which JShell blanks before javac reads anything
 */
public record Finding(int cell, int line, int column, int offset, String text, int parsedOffset, int parsedLength,
    Kind kind, int codePoint, boolean inComment) {
  /** What makes the spot read otherwise than it runs; {@link #code()} is the name the bridge's API uses. */
  public enum Kind {
    /** A {@code \}{@code uXXXX} escape, which JShell (like javac) translates before it parses anything. */
    UNICODE_ESCAPE("unicode_escape"),
    /** A bidirectional control, which reorders how the text around it is shown (Trojan Source, CVE-2021-42574). */
    BIDI_CONTROL("bidi_control"),
    /** A character that shows as nothing or as a plain space: format and control characters, fillers, odd spaces. */
    INVISIBLE("invisible_character"),
    /**
     * A letter of another script than the rest of its name (a Cyrillic {@code о} in {@code tоtal}): it may look like
     * a letter of the name's script, so that two names a reader cannot tell apart are two names to JShell.
     */
    MIXED_SCRIPT("mixed_script");

    private final String code;

    Kind(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  /** How long the spot is in the cell's source as saved, in UTF-16 units. */
  public int length() {
    return text.length();
  }

  /** The character JShell reads here, by code point and Unicode name: {@code U+0022 QUOTATION MARK}. */
  public String meaning() {
    String name = Character.getName(codePoint);
    return String.format(Locale.ROOT, "U+%04X", codePoint) + (name == null ? "" : " " + name);
  }

  /** One line for a person: where, what is there, and what JShell reads. */
  public String describe() {
    String where = "cell " + cell + ", line " + line + ", column " + column + ": ";
    return where + switch (kind) {
      case UNICODE_ESCAPE -> "the Unicode escape " + text + (inComment ? ", in a comment JShell drops, which javac reads as "
          : ", which JShell reads as ")
          + (CodeReview.hides(codePoint) || Character.isISOControl(codePoint) ? "" : new String(Character.toChars(codePoint)) + " ")
          + "(" + meaning() + ")";
      case BIDI_CONTROL -> meaning() + ", a bidirectional control: the text around it is shown in another order than it runs";
      case INVISIBLE -> meaning() + ", a character that shows as nothing or as a space";
      case MIXED_SCRIPT -> meaning() + ", a letter of another script than the rest of its name: the name may look like"
          + " another one";
    };
  }
}
