package dev.cleanroom.bridge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenFileTest {
  private static final String ALICE = "alice-token-4f1c9a2b7e";

  @Test
  void aTokenStandsForItsUserAndRoles() {
    TokenFile file = TokenFile.parse(List.of("# demo", "", ALICE + " alice scientist",
        "pat-token-2a7b9c4d6e8f   pat  providers,scientist", "nobody-token-0123456789 nobody -"), "tokens.txt");

    assertEquals(Optional.of(Caller.of("alice", Role.SCIENTIST)), file.authenticate(ALICE).result());
    assertEquals(Optional.of(Caller.of("pat", Role.PROVIDER, Role.SCIENTIST)),
        file.authenticate("pat-token-2a7b9c4d6e8f").result());
    assertEquals(Optional.of(Caller.of("nobody")), file.authenticate("nobody-token-0123456789").result());
    assertEquals(Optional.empty(), file.authenticate("alice-token-4f1c9a2b7").result());
  }

  @Test
  void mistakesNameTheLineAndNeverTheToken() {
    IllegalArgumentException shortToken = assertThrows(IllegalArgumentException.class,
        () -> TokenFile.parse(List.of("tinytok alice scientist"), "tokens.txt"));
    IllegalArgumentException unknownRole = assertThrows(IllegalArgumentException.class,
        () -> TokenFile.parse(List.of(ALICE + " alice admin"), "tokens.txt"));
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> TokenFile.parse(List.of(ALICE + " alice scientist", ALICE + " eve scientist"), "tokens.txt"));

    assertTrue(shortToken.getMessage().contains("line 1"), shortToken.getMessage());
    assertTrue(unknownRole.getMessage().contains("line 1") && unknownRole.getMessage().contains("admin"));
    assertTrue(twice.getMessage().contains("line 2"));
    for (IllegalArgumentException e : List.of(shortToken, unknownRole, twice)) {
      assertFalse(e.getMessage().contains(ALICE) || e.getMessage().contains("tinytok"), e.getMessage());
    }
  }
}
