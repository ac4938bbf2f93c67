package dev.cleanroom.dp.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenFileTest {
  private static Optional<String> user(TokenFile tokens, String token) {
    return tokens.user(token).result();
  }

  @Test
  void tokensMapToTheirUsers_commentsAndBlankLinesIgnored() {
    TokenFile tokens = TokenFile.parse(List.of("# who is who", "", "alice-token-0123456789 alice",
        "  bob-token-0123456789\tbob  "), "tokens.txt");

    assertEquals(Optional.of("alice"), user(tokens, "alice-token-0123456789"));
    assertEquals(Optional.of("bob"), user(tokens, "bob-token-0123456789"));
    assertEquals(Optional.empty(), user(tokens, "alice-token-012345678"));
    assertEquals(Optional.empty(), user(tokens, ""));
  }

  @Test
  void aShortTokenIsRefusedWithoutEchoingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TokenFile.parse(List.of("s3cret alice"), "tokens.txt"));

    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
  }

  @Test
  void aMalformedOrRepeatedLineIsRefusedWithItsNumber() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> TokenFile.parse(List.of("alice-token-0123456789"), "tokens.txt")).getMessage().contains("line 1"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> TokenFile.parse(List.of("alice-token-0123456789 alice", "alice-token-0123456789 bob"), "tokens.txt"))
        .getMessage().contains("line 2 is listed twice"));
  }
}
