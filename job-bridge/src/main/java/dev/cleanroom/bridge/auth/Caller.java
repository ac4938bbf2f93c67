package dev.cleanroom.bridge.auth;

import java.util.EnumSet;
import java.util.Set;

/** An authenticated user and the roles they hold. */
public record Caller(String name, Set<Role> roles) {
  public Caller {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a caller has a name");
    }
    roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
  }

  public static Caller of(String name, Role... roles) {
    return new Caller(name, roles.length == 0 ? Set.of() : EnumSet.of(roles[0], roles));
  }

  public boolean is(Role role) {
    return roles.contains(role);
  }
}
