package switchboard.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  // Real hashes use 210 000 iterations; a low count keeps the tests fast and is recorded in the hash.
  private static final int FAST = 1000;

  @Test
  void verifiesTheRightPasswordOnly() {
    String hash = PasswordHasher.hash("correct horse".toCharArray(), FAST);

    assertThat(PasswordHasher.verify("correct horse".toCharArray(), hash)).isTrue();
    assertThat(PasswordHasher.verify("correct hors".toCharArray(), hash)).isFalse();
    assertThat(PasswordHasher.verify("".toCharArray(), hash)).isFalse();
  }

  @Test
  void hasTheDocumentedFormat() {
    String hash = PasswordHasher.hash("pw".toCharArray(), FAST);

    assertThat(hash).matches("pbkdf2-sha256\\$1000\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    assertThat(PasswordHasher.isSupported(hash)).isTrue();
  }

  @Test
  void saltsEveryHash() {
    String first = PasswordHasher.hash("same".toCharArray(), FAST);
    String second = PasswordHasher.hash("same".toCharArray(), FAST);

    assertThat(first).isNotEqualTo(second);
    assertThat(PasswordHasher.verify("same".toCharArray(), first)).isTrue();
    assertThat(PasswordHasher.verify("same".toCharArray(), second)).isTrue();
  }

  @Test
  void malformedHashesAreRejectedWithoutThrowing() {
    String good = PasswordHasher.hash("pw".toCharArray(), FAST);
    String[] bad = {
        null, "", "pw", "pbkdf2-sha256$1000$abc", "bcrypt$1000$" + good.split("\\$")[2] + "$" + good.split("\\$")[3],
        "pbkdf2-sha256$x$" + good.split("\\$")[2] + "$" + good.split("\\$")[3],
        "pbkdf2-sha256$0$" + good.split("\\$")[2] + "$" + good.split("\\$")[3],
        "pbkdf2-sha256$1000$!!!$" + good.split("\\$")[3],
        "pbkdf2-sha256$1000$" + good.split("\\$")[2] + "$",
        good + "$extra",
    };
    for (String hash : bad) {
      assertThat(PasswordHasher.verify("pw".toCharArray(), hash)).as("verify %s", hash).isFalse();
      assertThat(PasswordHasher.isSupported(hash)).as("isSupported %s", hash).isFalse();
    }
    assertThat(PasswordHasher.verify(null, good)).isFalse();
  }
}
