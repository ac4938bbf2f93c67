package dev.cleanroom.tee.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BaseRuntimeRecipeTest {
  private static final String LOCK = """
      # a comment
      jdk Temurin-25.0.3+9
      modules java.base,jdk.jshell
      deb libc6 2.36-9+deb12u14 ba4f88f73dbc3ae9055f3c20f4523bfdbaf1ad13ff95e258924f77d20b4fbedf
      """;

  @Test
  void pinned_namesTheJdkTheModulesAndThePackages() {
    BaseRuntimeRecipe pinned = BaseRuntimeRecipe.pinned();
    assertTrue(pinned.jdk().startsWith("Temurin-"), pinned.jdk());
    assertTrue(pinned.modules().containsAll(java.util.List.of("java.base", "jdk.jshell", "jdk.compiler", "java.desktop")));
    assertTrue(pinned.packages().stream().anyMatch(p -> p.name().equals("libc6")));
  }

  @Test
  void parse_readsEachEntry() {
    BaseRuntimeRecipe recipe = BaseRuntimeRecipe.parse(LOCK);
    assertEquals("Temurin-25.0.3+9", recipe.jdk());
    assertEquals(java.util.List.of("java.base", "jdk.jshell"), recipe.modules());
    assertEquals("libc6=2.36-9+deb12u14", recipe.packages().get(0).pin());
  }

  @Test
  void key_ignoresCommentsAndSpacing() {
    assertEquals(BaseRuntimeRecipe.parse(LOCK).key(),
        BaseRuntimeRecipe.parse("# other words\n" + LOCK.replace("jdk ", "jdk   ") + "\n\n").key());
  }

  @Test
  void key_changesWithAnyPin() {
    assertNotEquals(BaseRuntimeRecipe.parse(LOCK).key(), BaseRuntimeRecipe.parse(LOCK.replace("deb12u14", "deb12u15")).key());
  }

  @Test
  void parse_aShortHash_isRefusedWithItsLine() {
    var e = assertThrows(IllegalArgumentException.class, () -> BaseRuntimeRecipe.parse(LOCK.replace("ba4f88f7", "")));
    assertTrue(e.getMessage().contains("line 4"), e.getMessage());
  }

  @Test
  void parse_withoutJavaBase_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> BaseRuntimeRecipe.parse(LOCK.replace("java.base,", "")));
  }
}
