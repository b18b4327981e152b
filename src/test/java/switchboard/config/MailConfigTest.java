package switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The optional "mail" section: defaults, every field checked, the password never shown. */
class MailConfigTest {
  private static final String SRC = "test.json";

  private static AppConfig parse(String mail) {
    String json = """
        {"queues": [{"name": "general", "title": "Ask"}]%s}
        """.formatted(mail == null ? "" : ", \"mail\": " + mail);
    return ConfigLoader.parse(json, SRC, Map.of());
  }

  private static String error(String mail) {
    try {
      parse(mail);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a ConfigException for " + mail);
  }

  @Test
  void noMailSectionMeansTheFeatureIsOff() {
    assertThat(parse(null).mail()).isNull();
    assertThat(parse("null").mail()).isNull();
  }

  @Test
  void defaultsAreApplied() {
    MailSettings m = parse("{\"host\": \"smtp.example.edu\", \"from\": \"chat@example.edu\"}").mail();
    assertThat(m).isEqualTo(new MailSettings("smtp.example.edu", 587, "chat@example.edu",
        MailSettings.StartTls.OPTIONAL, null, null));
  }

  @Test
  void everyFieldIsRead() {
    MailSettings m = parse("""
        {"host": "smtp.example.edu", "port": 2525, "from": "Ask a Librarian <chat@example.edu>",
         "starttls": "REQUIRED", "username": "chat", "password": "s3cret"}
        """).mail();
    assertThat(m.port()).isEqualTo(2525);
    assertThat(m.from()).isEqualTo("Ask a Librarian <chat@example.edu>");
    assertThat(m.starttls()).isEqualTo(MailSettings.StartTls.REQUIRED);
    assertThat(m.username()).isEqualTo("chat");
    assertThat(m.password()).isEqualTo("s3cret");
    assertThat(m.toString()).doesNotContain("s3cret");
    assertThat(parse("{\"host\": \"h\", \"from\": \"a@b.org\", \"username\": \"u\", \"password\": \"pw-x\"}")
        .toString()).doesNotContain("pw-x");
  }

  @Test
  void mistakesNameTheField() {
    assertThat(error("{\"from\": \"chat@example.edu\"}")).isEqualTo("test.json: mail.host: required field missing");
    assertThat(error("{\"host\": \"smtp.example.edu\"}")).isEqualTo("test.json: mail.from: required field missing");
    assertThat(error("{\"host\": \"h\", \"from\": \"chat at example\"}"))
        .startsWith("test.json: mail.from: \"chat at example\" is not an email address");
    assertThat(error("{\"host\": \"h\", \"from\": \"a@b.org\", \"port\": 0}"))
        .isEqualTo("test.json: mail.port: expected an integer from 1 to 65535, got 0");
    assertThat(error("{\"host\": \"h\", \"from\": \"a@b.org\", \"starttls\": \"yes\"}"))
        .isEqualTo("test.json: mail.starttls: expected \"DISABLED\", \"OPTIONAL\" or \"REQUIRED\", got \"yes\"");
    assertThat(error("{\"host\": \"h\", \"from\": \"a@b.org\", \"username\": \"u\"}"))
        .startsWith("test.json: mail.password: give both username and password, or neither");
    assertThat(error("{\"host\": \"h\", \"from\": \"a@b.org\", \"user\": \"u\"}"))
        .startsWith("test.json: mail.user: unknown field (expected one of: host, port, from, starttls, username,"
            + " password)");
    assertThat(error("\"smtp.example.edu\"")).isEqualTo("test.json: mail: expected an object, got a string");
    assertThatThrownBy(() -> parse("{\"host\": \"h\", \"from\": \"a@b.org\", \"password\": \"pw-y\"}"))
        .isInstanceOf(ConfigException.class).message().doesNotContain("pw-y");
  }

  @Test
  void addressesAreStrict() {
    assertThat(MailSettings.isAddress("pat@example.org")).isTrue();
    assertThat(MailSettings.isAddress("pat.o'neil+chat@sub.example.co.uk")).isTrue();
    assertThat(MailSettings.isAddress("pat@localhost")).isFalse();
    assertThat(MailSettings.isAddress("pat@example.org\r\nBcc: x@example.org")).isFalse();
    assertThat(MailSettings.isAddress("pat@example.org, x@example.org")).isFalse();
    assertThat(MailSettings.isAddress("Pat <pat@example.org>")).isFalse();
    assertThat(MailSettings.isAddress(null)).isFalse();
  }
}
