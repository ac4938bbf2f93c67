package dev.cleanroom.kernel.review;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A code cell as a reviewer needs to read it: every spot where JShell parses something other than what the cell
 * shows, and the cell's source as JShell parses it. The kernel's {@code %submit} warns with it and the job
 * bridge's review view shows it, so both flag the same spots.
 *
 * <p>JShell reads a snippet in two steps: it blanks the comments it finds in the text as written (its own scan,
 * which knows strings, character literals and text blocks but no escapes), then javac translates the Unicode
 * escapes of what is left (JLS §3.3) and parses it. {@link #parsed()} is the cell read the same way: comments kept as
 * written (they run nothing), escapes elsewhere translated, and every flagged character replaced by a visible mark
 * {@code ⟨U+XXXX⟩} (a translated line break keeps its break after the mark, so lines split where javac splits them;
 * a look-alike letter of another script in a name keeps its letter after the mark).
 * Each {@link Finding} points at its spot both in the source as saved and in {@link #parsed()}. JShell splits a cell
 * into snippets with javac's tokens and blanks comments per snippet; where an escape moves a snippet's end into what
 * the raw text shows as a string, its comments can fall otherwise than here, and the cell is flagged all the same.
 *
 * <p>Every escape javac would translate is flagged, wherever it is: in code, in a string or in a comment. The
 * translation happens before javac knows what a string or a comment is ({@code "a\}{@code u0022"} ends its string),
 * so an escape "inside" a string is exactly where one hides code; one in a comment runs nothing in JShell but would
 * in javac, and a notebook has no need for escapes at all, being UTF-8, able to hold any character as itself. An
 * escape javac does not translate (its backslash is itself escaped, {@code "\\}{@code u0022"}) is plain text and not
 * flagged. Magic lines ({@code %submit}) are checked like code: the kernel runs them untranslated, but an escape there
 * hides nothing a reviewer needs and is flagged all the same.
 */
public record CodeReview(int cell, String source, String parsed, List<Finding> findings) {
  public CodeReview {
    findings = List.copyOf(findings);
  }

  /**
   * Reviews one code cell.
   *
   * @param cell the cell's number in the notebook, from 1, every cell counted
   * @param source the cell's source as saved (its lines joined)
   */
  public static CodeReview of(int cell, String source) {
    boolean[] comment = comments(source);
    boolean[] lookAlike = otherScriptLetters(source);
    StringBuilder parsed = new StringBuilder(source.length());
    List<Finding> findings = new ArrayList<>();
    int line = 1;
    int lineStart = 0;
    int backslashes = 0; // backslashes right before i: the one at i starts an escape only after an even number
    int i = 0;
    while (i < source.length()) {
      char c = source.charAt(i);
      int end = c == '\\' && backslashes % 2 == 0 ? escapeEnd(source, i) : -1;
      if (end > 0) {
        int translated = hex(source, end - 4);
        int at = parsed.length();
        if (comment[i]) {
          parsed.append(source, i, end); // JShell blanks the comment: nothing is translated there
        } else {
          appendVisibly(parsed, translated);
        }
        findings.add(new Finding(cell, line, column(source, lineStart, i), i, source.substring(i, end), at,
            parsed.length() - at, Finding.Kind.UNICODE_ESCAPE, translated, comment[i]));
        backslashes = 0; // a backslash an escape made never escapes what follows (JLS §3.3)
        i = end;
        continue;
      }
      backslashes = c == '\\' && !comment[i] ? backslashes + 1 : 0; // a blanked comment is spaces to javac
      int codePoint = source.codePointAt(i);
      Finding.Kind kind = lookAlike[i] ? Finding.Kind.MIXED_SCRIPT : kindOf(codePoint);
      int at = parsed.length();
      if (kind == null) {
        parsed.appendCodePoint(codePoint);
      } else {
        if (kind == Finding.Kind.MIXED_SCRIPT) {
          parsed.append(mark(codePoint)).appendCodePoint(codePoint);
        } else {
          appendVisibly(parsed, codePoint);
        }
        findings.add(new Finding(cell, line, column(source, lineStart, i), i, new String(Character.toChars(codePoint)),
            at, parsed.length() - at, kind, codePoint, comment[i]));
      }
      i += Character.charCount(codePoint);
      if (c == '\n' || c == '\r' && (i >= source.length() || source.charAt(i) != '\n')) {
        line++;
        lineStart = i;
      }
    }
    return new CodeReview(cell, source, parsed.toString(), findings);
  }

  /**
   * Which characters are in a comment as JShell finds comments before it compiles, in the text as written:
   * {@code //} to the line's end and {@code /*} to the next {@code *}{@code /}, outside string and character
   * literals (which end at their quote, or at the line's end, a backslash taking the character after it) and text
   * blocks (which end at three quotes not after a backslash).
   */
  private static boolean[] comments(String source) {
    boolean[] comment = new boolean[source.length()];
    int i = 0;
    while (i < source.length()) {
      char c = source.charAt(i);
      if (source.startsWith("\"\"\"", i)) {
        int end = source.indexOf("\"\"\"", i + 3);
        while (end > 0 && source.charAt(end - 1) == '\\') {
          end = source.indexOf("\"\"\"", end + 1);
        }
        i = end < 0 ? source.length() : end + 3;
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < source.length() && source.charAt(j) != c && source.charAt(j) != '\n' && source.charAt(j) != '\r') {
          j += source.charAt(j) == '\\' ? 2 : 1;
        }
        i = j + 1;
      } else if (source.startsWith("/*", i)) {
        int close = source.indexOf("*/", i + 2);
        int end = close < 0 ? source.length() : close + 2;
        Arrays.fill(comment, i, end, true);
        i = end;
      } else if (source.startsWith("//", i)) {
        int end = i + 2;
        while (end < source.length() && source.charAt(end) != '\n' && source.charAt(end) != '\r') {
          end++;
        }
        Arrays.fill(comment, i, end, true);
        i = end;
      } else {
        i++;
      }
    }
    return comment;
  }

  /** Scripts that a name may mix with Latin and with each other, as CJK writing does (UTS #39, highly restrictive). */
  private static final Set<Character.UnicodeScript> CJK = EnumSet.of(Character.UnicodeScript.HAN,
      Character.UnicodeScript.HIRAGANA, Character.UnicodeScript.KATAKANA, Character.UnicodeScript.BOPOMOFO,
      Character.UnicodeScript.HANGUL);

  /**
   * The letters that look-alike names are made of: in each name (a run of Java identifier characters, wherever it is),
   * when its letters come from more than one script other than the CJK ones (a Cyrillic {@code о} in {@code tоtal}),
   * every letter not of the name's main script (the one most of its letters have; on a tie, its first letter's).
   * JShell reads {@code tоtal} and {@code total} as two names that a reader cannot tell apart.
   */
  private static boolean[] otherScriptLetters(String source) {
    boolean[] flagged = new boolean[source.length()];
    int i = 0;
    while (i < source.length()) {
      int start = i;
      Map<Character.UnicodeScript, Integer> letters = new LinkedHashMap<>();
      while (i < source.length() && Character.isJavaIdentifierPart(source.codePointAt(i))) {
        script(source.codePointAt(i)).ifPresent(script -> letters.merge(script, 1, Integer::sum));
        i += Character.charCount(source.codePointAt(i));
      }
      if (letters.size() > 1) {
        Character.UnicodeScript main = letters.entrySet().stream().reduce((a, b) -> b.getValue() > a.getValue() ? b : a)
            .orElseThrow().getKey();
        for (int j = start; j < i; j += Character.charCount(source.codePointAt(j))) {
          flagged[j] = script(source.codePointAt(j)).filter(script -> script != main).isPresent();
        }
      }
      i = i == start ? i + Character.charCount(source.codePointAt(i)) : i;
    }
    return flagged;
  }

  /** The script of a letter, but none for other characters and the CJK scripts, which names may mix. */
  private static Optional<Character.UnicodeScript> script(int codePoint) {
    if (!Character.isLetter(codePoint)) {
      return Optional.empty();
    }
    Character.UnicodeScript script = Character.UnicodeScript.of(codePoint);
    return script == Character.UnicodeScript.COMMON || script == Character.UnicodeScript.INHERITED
        || script == Character.UnicodeScript.UNKNOWN || CJK.contains(script) ? Optional.empty() : Optional.of(script);
  }

  /**
   * Where the Unicode escape starting at the backslash {@code at} ends, or -1 if there is none: one or more
   * {@code u} and four hex digits. The digits are read as javac reads them, with {@link Character#digit(char, int)}.
   */
  private static int escapeEnd(String source, int at) {
    int digits = at + 1;
    while (digits < source.length() && source.charAt(digits) == 'u') {
      digits++;
    }
    if (digits == at + 1 || digits + 4 > source.length()) {
      return -1;
    }
    for (int d = digits; d < digits + 4; d++) {
      if (Character.digit(source.charAt(d), 16) < 0) {
        return -1; // javac refuses the cell ("illegal unicode escape"): nothing runs that a reader does not see
      }
    }
    return digits + 4;
  }

  private static int hex(String source, int from) {
    int value = 0;
    for (int d = from; d < from + 4; d++) {
      value = value << 4 | Character.digit(source.charAt(d), 16);
    }
    return value;
  }

  private static int column(String source, int lineStart, int at) {
    return source.codePointCount(lineStart, at) + 1;
  }

  /** The character as the parsed view shows it: a mark for what would show as nothing, a line break kept. */
  private static void appendVisibly(StringBuilder parsed, int codePoint) {
    if (hides(codePoint) || codePoint == '\n' || codePoint == '\r') {
      parsed.append(mark(codePoint));
    }
    if (!hides(codePoint)) {
      parsed.appendCodePoint(codePoint);
    }
  }

  private static String mark(int codePoint) {
    return String.format(Locale.ROOT, "⟨U+%04X⟩", codePoint);
  }

  /** Whether the character, written as itself, would hide from a reader (see {@link #kindOf}). */
  static boolean hides(int codePoint) {
    return kindOf(codePoint) != null;
  }

  /**
   * Why a character written as itself is flagged, or null if it is not: bidirectional controls (U+061C, U+200E,
   * U+200F, U+202A–U+202E, U+2066–U+2069); format characters (category Cf: zero-width space and joiners, word
   * joiner, soft hyphen, byte order mark, tags); controls but tab and the line breaks; line and paragraph
   * separators, which a browser shows as a line break where javac sees none; spaces other than U+0020; and the
   * characters that show as nothing though javac reads them as part of a name (variation selectors, the combining
   * grapheme joiner, Hangul fillers, the blank Braille pattern).
   */
  static Finding.Kind kindOf(int codePoint) {
    if (codePoint == 0x061C || codePoint == 0x200E || codePoint == 0x200F
        || codePoint >= 0x202A && codePoint <= 0x202E || codePoint >= 0x2066 && codePoint <= 0x2069) {
      return Finding.Kind.BIDI_CONTROL;
    }
    boolean invisible = switch (Character.getType(codePoint)) {
      case Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> true;
      case Character.CONTROL -> codePoint != '\t' && codePoint != '\n' && codePoint != '\r';
      case Character.SPACE_SEPARATOR -> codePoint != ' ';
      default -> codePoint >= 0xFE00 && codePoint <= 0xFE0F || codePoint >= 0xE0100 && codePoint <= 0xE01EF
          || codePoint == 0x034F || codePoint == 0x115F || codePoint == 0x1160 || codePoint == 0x3164
          || codePoint == 0xFFA0 || codePoint == 0x2800;
    };
    return invisible ? Finding.Kind.INVISIBLE : null;
  }
}
