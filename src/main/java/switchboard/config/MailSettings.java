package switchboard.config;

import java.util.regex.Pattern;

/**
 * The SMTP server that mails transcripts (config key {@code "mail"}); absent, the feature is off.
 *
 * @param from     the sender, {@code chat@library.example.edu} or {@code Ask a Librarian <chat@library.example.edu>}
 * @param starttls whether to upgrade the connection to TLS
 * @param username null with {@code password} null: the server takes mail without signing in
 */
public record MailSettings(String host, int port, String from, StartTls starttls, String username, String password) {
  public static final int DEFAULT_PORT = 587;

  public enum StartTls { DISABLED, OPTIONAL, REQUIRED }

  /**
   * One plain address: no display name, comments or spaces, so it cannot add a header or a
   * second recipient. Stricter than RFC 5322, which is right for an address typed into a form.
   */
  private static final Pattern ADDRESS = Pattern.compile(
      "[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
          + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");
  private static final Pattern NAMED = Pattern.compile("([^<>\\r\\n\"]*)<([^<>\\s]+)>");

  public static boolean isAddress(String s) {
    return s != null && s.length() <= 254 && ADDRESS.matcher(s).matches();
  }

  /** A plain address, or a display name followed by one in angle brackets. */
  static boolean isSender(String s) {
    if (isAddress(s)) {
      return true;
    }
    var named = NAMED.matcher(s.strip());
    return named.matches() && isAddress(named.group(2));
  }

  /** Keeps the password out of logs and error messages. */
  @Override
  public String toString() {
    return "MailSettings[host=" + host + ", port=" + port + ", from=" + from + ", starttls=" + starttls
        + ", username=" + username + ", password=" + (password == null ? null : "…") + "]";
  }
}
