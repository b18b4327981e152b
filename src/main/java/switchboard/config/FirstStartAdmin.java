package switchboard.config;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import switchboard.auth.PasswordHasher;
import switchboard.domain.QueueConfig;
import switchboard.domain.OperatorConfig;

/**
 * Makes sure someone can sign in on a fresh install without a default password ever existing
 * (DESIGN §5): when no operator has a password hash, an {@code admin} account with a random
 * one-time password is added for this run.
 */
public final class FirstStartAdmin {
  private FirstStartAdmin() {}

  public static final String ADMIN_ID = "admin";
  static final int PASSWORD_LENGTH = 20;
  // No 0/O/o, 1/l/I: the password is read off a terminal and typed in by hand.
  private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** @param oneTimePassword the generated password, or null when the config already had a way in */
  public record Result(AppConfig config, String oneTimePassword) {}

  public static Result ensure(AppConfig cfg) {
    boolean anyHash = cfg.operators().stream().anyMatch(o -> o.passwordHash() != null);
    if (anyHash) {
      return new Result(cfg, null);
    }
    char[] password = randomPassword();
    try {
      OperatorConfig admin = new OperatorConfig(ADMIN_ID, "Administrator",
          cfg.queues().stream().map(QueueConfig::name).toList(), OperatorConfig.DEFAULT_MAX_CHATS,
          OperatorConfig.Role.admin, PasswordHasher.hash(password));
      return new Result(cfg.withOperators(withAdmin(cfg.operators(), admin)), new String(password));
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /** Replaces a hashless "admin" in place (keeping the list order) or appends one. */
  private static List<OperatorConfig> withAdmin(List<OperatorConfig> operators, OperatorConfig admin) {
    List<OperatorConfig> result = new ArrayList<>(operators);
    for (int i = 0; i < result.size(); i++) {
      if (result.get(i).id().equals(ADMIN_ID)) {
        result.set(i, admin);
        return result;
      }
    }
    result.add(admin);
    return result;
  }

  private static char[] randomPassword() {
    char[] password = new char[PASSWORD_LENGTH];
    for (int i = 0; i < password.length; i++) {
      password[i] = ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length()));
    }
    return password;
  }
}
