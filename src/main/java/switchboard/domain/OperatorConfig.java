package switchboard.domain;

import java.util.List;

/**
 * One operator account as configured. {@code passwordHash} is a {@link switchboard.auth.PasswordHasher}
 * hash, or null for an account that cannot sign in yet.
 */
public record OperatorConfig(
    String id,
    String name,
    List<String> queues,
    int maxChats,
    Role role,
    String passwordHash) {

  public static final int DEFAULT_MAX_CHATS = 5;

  public enum Role { operator, admin }

  public OperatorConfig {
    queues = queues == null ? List.of() : List.copyOf(queues);
  }

  public boolean isAdmin() {
    return role == Role.admin;
  }

  public OperatorConfig withPasswordHash(String hash) {
    return new OperatorConfig(id, name, queues, maxChats, role, hash);
  }
}
