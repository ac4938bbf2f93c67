package dev.cleanroom.dp.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cleanroom.dp.client.Caller;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenFileTest {
  private static Optional<Caller> user(TokenFile tokens, String token) {
    return tokens.user(token).result();
  }

  @Test
  void tokensMapToTheirUsers_commentsAndBlankLinesIgnored() {
    TokenFile tokens = TokenFile.parse(List.of("# who is who", "", "alice-token-0123456789 alice scientist",
        "  bob-token-0123456789\tbob  provider,scientists "), "tokens.txt");

    assertEquals(Optional.of(Caller.scientist("alice")), user(tokens, "alice-token-0123456789"));
    assertEquals(Optional.of(Caller.scientist("bob")), user(tokens, "bob-token-0123456789"));
    assertEquals(Optional.empty(), user(tokens, "alice-token-012345678"));
    assertEquals(Optional.empty(), user(tokens, ""));
  }

  @Test
  void aShortTokenIsRefusedWithoutEchoingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TokenFile.parse(List.of("s3cret alice scientist"), "tokens.txt"));

    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
  }

  @Test
  void aMalformedOrRepeatedLineIsRefusedWithItsNumber() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> TokenFile.parse(List.of("alice-token-0123456789"), "tokens.txt")).getMessage().contains("line 1"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> TokenFile.parse(List.of("alice-token-0123456789 alice scientist", "alice-token-0123456789 bob -"),
            "tokens.txt")).getMessage().contains("line 2 is listed twice"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> TokenFile.parse(List.of("alice-token-0123456789 alice admin"), "tokens.txt"))
        .getMessage().contains("line 1 has role 'admin'"));
  }

  @Test
  void onlyTheScientistRoleMakesAScientist() {
    TokenFile tokens = TokenFile.parse(List.of("pat-token-0123456789 pat provider",
        "audrey-token-0123456789 audrey auditor", "nobody-token-0123456789 nobody -"), "tokens.txt");

    assertEquals(Optional.of(new Caller("pat", false)), user(tokens, "pat-token-0123456789"));
    assertEquals(Optional.of(new Caller("audrey", false)), user(tokens, "audrey-token-0123456789"));
    assertEquals(Optional.of(new Caller("nobody", false)), user(tokens, "nobody-token-0123456789"));
  }
}
