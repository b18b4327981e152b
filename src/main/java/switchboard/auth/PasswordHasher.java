package switchboard.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * PBKDF2-HMAC-SHA256 password hashes in the form {@code pbkdf2-sha256$ITERATIONS$SALT_B64$HASH_B64}
 * (standard Base64, no padding). Hashing is slow on purpose: call it off the event loop.
 */
public final class PasswordHasher {
  private PasswordHasher() {}

  public static final int DEFAULT_ITERATIONS = 210_000;

  private static final String SCHEME = "pbkdf2-sha256";
  private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
  private static final int SALT_BYTES = 16;
  private static final int KEY_BYTES = 32;
  // A hash from the config or an admin request must not be able to pin a CPU for minutes at sign-in.
  private static final int MAX_ITERATIONS = 10_000_000;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();

  public static String hash(char[] password) {
    return hash(password, DEFAULT_ITERATIONS);
  }

  public static String hash(char[] password, int iterations) {
    if (password == null) {
      throw new IllegalArgumentException("password must not be null");
    }
    if (iterations < 1 || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException("iterations must be between 1 and " + MAX_ITERATIONS);
    }
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] key = derive(password, salt, iterations, KEY_BYTES);
    return SCHEME + "$" + iterations + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(key);
  }

  /** True when the password matches; false for a wrong password and for a null or malformed hash. */
  public static boolean verify(char[] password, String encodedHash) {
    if (password == null) {
      return false;
    }
    Parsed parsed = Parsed.of(encodedHash);
    if (parsed == null) {
      return false;
    }
    byte[] actual = derive(password, parsed.salt, parsed.iterations, parsed.key.length);
    return MessageDigest.isEqual(actual, parsed.key);
  }

  /** Whether the string is a well-formed hash this class can verify (used to validate the config). */
  public static boolean isSupported(String encodedHash) {
    return Parsed.of(encodedHash) != null;
  }

  private static byte[] derive(char[] password, byte[] salt, int iterations, int keyBytes) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, keyBytes * 8);
    try {
      return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      // Every Java 17 runtime ships PBKDF2WithHmacSHA256; reaching this means a broken JRE.
      throw new IllegalStateException(ALGORITHM + " is not available", e);
    } finally {
      spec.clearPassword();
    }
  }

  private record Parsed(int iterations, byte[] salt, byte[] key) {
    static Parsed of(String encoded) {
      if (encoded == null) {
        return null;
      }
      String[] parts = encoded.split("\\$", -1);
      if (parts.length != 4 || !parts[0].equals(SCHEME)) {
        return null;
      }
      try {
        int iterations = Integer.parseInt(parts[1]);
        byte[] salt = Base64.getDecoder().decode(parts[2]);
        byte[] key = Base64.getDecoder().decode(parts[3]);
        // Bounds keep verify() cheap to reject junk and refuse keys too short to mean anything.
        if (iterations < 1 || iterations > MAX_ITERATIONS || salt.length < 8 || key.length < 16 || key.length > 64) {
          return null;
        }
        return new Parsed(iterations, salt, key);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }
}
