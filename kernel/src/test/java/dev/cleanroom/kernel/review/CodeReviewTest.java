package dev.cleanroom.kernel.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.kernel.eval.CellException;
import dev.cleanroom.kernel.eval.JavaEvaluator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The checker against the attacks of issue 14, and against JShell itself: for each tricky escape, the text
 * {@link CodeReview#parsed()} shows is the one JShell runs. (This file spells every backslash of an escape twice,
 * or javac would translate the escapes of this very test.)
 */
class CodeReviewTest {
  private static JavaEvaluator jshell;

  @BeforeAll
  static void start() {
    jshell = JavaEvaluator.start();
  }

  @AfterAll
  static void close() {
    jshell.close();
  }

  private static List<String> spots(CodeReview review) {
    return review.findings().stream()
        .map(f -> f.line() + ":" + f.column() + " " + f.kind().code() + " " + f.text() + " " + f.meaning()).toList();
  }

  @Test
  void anEscapedQuote_endsTheString_andJShellRunsTheCodeAfterIt() throws CellException {
    String cell = "int y = 0;\nString s = \"a\\u0022; y = 7; //\";\ny";
    assertEquals(7, jshell.eval(cell, "cell [1]").orElseThrow().value(), "the attack works on JShell");

    CodeReview review = CodeReview.of(2, cell);
    assertEquals(List.of("2:14 unicode_escape \\u0022 U+0022 QUOTATION MARK"), spots(review));
    assertEquals("int y = 0;\nString s = \"a\"; y = 7; //\";\ny", review.parsed());
    Finding quote = review.findings().get(0);
    assertEquals(cell.indexOf('\\'), quote.offset());
    assertEquals("\"", review.parsed().substring(quote.parsedOffset(), quote.parsedOffset() + quote.parsedLength()));
    assertEquals("cell 2, line 2, column 14: the Unicode escape \\u0022, which JShell reads as \" (U+0022 QUOTATION MARK)",
        quote.describe());
  }

  /** javac would end the comment at the escaped line break; JShell blanks the comment first, so nothing runs. */
  @Test
  void anEscapedLineBreakInAComment_isFlagged_andShownAsTheCommentJShellDrops() throws CellException {
    String cell = "int z = 1;\nvoid f() {\n  // harmless \\u000a z = 9;\n}\nf();\nz";
    assertEquals(1, jshell.eval(cell, "cell [1]").orElseThrow().value());
    CodeReview review = CodeReview.of(1, cell);
    assertEquals(List.of("3:15 unicode_escape \\u000a U+000A LINE FEED (LF)"), spots(review));
    assertTrue(review.findings().get(0).inComment());
    assertEquals(cell, review.parsed());
    assertTrue(review.findings().get(0).describe().contains("in a comment JShell drops"), review.findings().get(0).describe());
  }

  /** javac would end the block comment at the escaped star; JShell finds the comment's end as written. */
  @Test
  void anEscapedCommentEnd_isFlagged_andTheCommentRunsNothing() throws CellException {
    String cell = "int w = 1;\n/* \\u002a/ w = 5; /* */\nw";
    assertEquals(1, jshell.eval(cell, "cell [1]").orElseThrow().value());
    CodeReview review = CodeReview.of(1, cell);
    assertEquals(List.of("2:4 unicode_escape \\u002a U+002A ASTERISK"), spots(review));
    assertEquals(cell, review.parsed());
  }

  /** What javac alone would read as a text block is, for JShell, two comments around a line of code. */
  @Test
  void aTextBlockOpenedInAComment_showsTheCodeJShellRuns() throws CellException {
    String cell = "int y = 0;\n// \\u000a String t = \"\"\"\ny = 7;\n// \"\"\";\ny";
    assertEquals(7, jshell.eval(cell, "cell [1]").orElseThrow().value());
    CodeReview review = CodeReview.of(1, cell);
    assertEquals(1, review.findings().size());
    assertEquals(cell, review.parsed(), "both comments as written, y = 7 as the code it is");
  }

  @Test
  void anEscapedBackslash_isNotAnEscape_andNotFlagged() throws CellException {
    String cell = "\"a\\\\u0022b\"";
    assertEquals("a\\u0022b", jshell.eval(cell, "cell [1]").orElseThrow().value(), "six characters, no quote");
    CodeReview review = CodeReview.of(1, cell);
    assertEquals(List.of(), review.findings());
    assertEquals(cell, review.parsed());
  }

  /** Odd and even runs of backslashes, several u's, a backslash made by an escape, javac's digits: as JShell reads. */
  @Test
  void parsed_isWhatJShellReads_forTrickyEscapes() throws CellException {
    List<String> literals = List.of(
        "\\u0041",                // A
        "\\\\\\u0041",            // an escaped backslash, then A
        "\\\\\\\\u0041",          // two escaped backslashes, then u0041 as text
        "\\uuuu0041",             // any number of u's
        "\\u005c\\u005c",         // two escapes making one escaped backslash
        "\\u005c\\u0022",         // an escape making a backslash escapes the quote after it
        "x\\u0041\\u0042y",
        "\\u\uFF10\uFF10\uFF14\uFF11"); // javac reads digits with Character.digit: full-width ones too
    for (String literal : literals) {
      String cell = "\"" + literal + "\"";
      CodeReview review = CodeReview.of(1, cell);
      String runs = (String) jshell.eval(cell, "cell [1]").orElseThrow().value();
      assertEquals(runs, review.parsed().substring(1, review.parsed().length() - 1).translateEscapes(), literal);
    }
    assertEquals(2, CodeReview.of(1, "\"\\u005c\\u005c\"").findings().size());
    assertEquals(0, CodeReview.of(1, "\"\\\\\\\\u0041\"").findings().size());
    assertEquals(1, CodeReview.of(1, "\"\\\\\\u0041\"").findings().size());
  }

  @Test
  void trojanSource_bidiControlsAreFlaggedAndMarked() {
    String cell = "boolean isAdmin = false;\n/*\u202E } \u2066if (isAdmin)\u2069 \u2066 begin admins only */\n"
        + "System.out.println(\"You are an admin.\");\n/* end admins only \u202E { \u2066*/";
    CodeReview review = CodeReview.of(4, cell);
    assertEquals(List.of(
        "2:3 bidi_control \u202E U+202E RIGHT-TO-LEFT OVERRIDE",
        "2:7 bidi_control \u2066 U+2066 LEFT-TO-RIGHT ISOLATE",
        "2:20 bidi_control \u2069 U+2069 POP DIRECTIONAL ISOLATE",
        "2:22 bidi_control \u2066 U+2066 LEFT-TO-RIGHT ISOLATE",
        "4:20 bidi_control \u202E U+202E RIGHT-TO-LEFT OVERRIDE",
        "4:24 bidi_control \u2066 U+2066 LEFT-TO-RIGHT ISOLATE"), spots(review));
    assertTrue(review.parsed().contains("/*⟨U+202E⟩ } ⟨U+2066⟩if (isAdmin)⟨U+2069⟩ ⟨U+2066⟩ begin admins only */"),
        review.parsed());
    assertTrue(review.parsed().chars().noneMatch(c -> c >= 0x2066 && c <= 0x2069 || c >= 0x202A && c <= 0x202E));
  }

  @Test
  void trojanSource_aStretchedStringAndEveryBidiControl() {
    String cell = "if (level != \"user\u202E \u2066// Check if admin\u2069 \u2066\") {";
    assertEquals(4, CodeReview.of(1, cell).findings().size());
    for (int bidi : new int[] {0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068,
        0x2069}) {
      assertEquals(Finding.Kind.BIDI_CONTROL, CodeReview.kindOf(bidi), Integer.toHexString(bidi));
    }
  }

  @Test
  void invisibleCharacters_areFlagged_andPlainCodeIsNot() {
    CodeReview review = CodeReview.of(1, "int a\u200B = 1;\tint b\u3164 = 2; // \u00A0 \u2028 \uFEFF");
    assertEquals(List.of(
        "1:6 invisible_character \u200B U+200B ZERO WIDTH SPACE",
        "1:18 invisible_character \u3164 U+3164 HANGUL FILLER",
        "1:28 invisible_character \u00A0 U+00A0 NO-BREAK SPACE",
        "1:30 invisible_character \u2028 U+2028 LINE SEPARATOR",
        "1:32 invisible_character \uFEFF U+FEFF ZERO WIDTH NO-BREAK SPACE"), spots(review));
    assertEquals("int a⟨U+200B⟩ = 1;\tint b⟨U+3164⟩ = 2; // ⟨U+00A0⟩ ⟨U+2028⟩ ⟨U+FEFF⟩", review.parsed());
    String plain = "var t = Dcr.dataset(\"insurance\").table();\r\nString é = \"naïve ✓ 日本 \\n \\\\ \\\"\";\n";
    assertEquals(List.of(), CodeReview.of(1, plain).findings());
    assertEquals(plain, CodeReview.of(1, plain).parsed());
  }

  /** #14: a Cyrillic о makes {@code tоtal} another name than {@code total}, which a reader cannot see. */
  @Test
  void aLookAlikeLetterOfAnotherScriptInAName_isFlagged_andShownMarked() throws CellException {
    String cell = "int total = 1;\nint t\u043Etal = 99;\ntotal";
    assertEquals(1, jshell.eval(cell, "cell [1]").orElseThrow().value(), "two names that read alike");

    CodeReview review = CodeReview.of(1, cell);
    assertEquals(List.of("2:6 mixed_script \u043E U+043E CYRILLIC SMALL LETTER O"), spots(review));
    assertEquals("int total = 1;\nint t⟨U+043E⟩\u043Etal = 99;\ntotal", review.parsed());
    assertEquals("cell 1, line 2, column 6: U+043E CYRILLIC SMALL LETTER O, a letter of another script than the rest of"
        + " its name: the name may look like another one", review.findings().get(0).describe());
    assertEquals(List.of("1:1 mixed_script a U+0061 LATIN SMALL LETTER A"), spots(CodeReview.of(1, "a\u0430\u0431 = 1;")),
        "the letter of the name's other script, the one fewer of its letters have");
  }

  @Test
  void namesOfOneScript_orMixingCjkScripts_areNotFlagged() {
    String cell = "int цена = 1; double τιμή = 2; String 食べる = \"\"; var 日本x = 3; // Тест test\n";
    assertEquals(List.of(), CodeReview.of(1, cell).findings());
  }

  @Test
  void columns_countCharacters_andLinesCountEveryBreak() {
    CodeReview review = CodeReview.of(1, "a\r\n😀\u200Bb\rc\\u0041");
    assertEquals(List.of("2:2 invisible_character \u200B U+200B ZERO WIDTH SPACE",
        "3:2 unicode_escape \\u0041 U+0041 LATIN CAPITAL LETTER A"), spots(review));
    assertEquals(5, review.findings().get(0).offset(), "offsets are UTF-16 units, as a browser counts");
  }
}
