package switchboard.config;

/**
 * Where the durable record lives (config key {@code "record"}, issue 15).
 *
 * @param url      {@code jdbc:sqlite:FILE} (the default for one node: {@code data/switchboard.db} beside
 *                 the config file, created on first start), {@code jdbc:postgresql://HOST:PORT/DB} (for
 *                 production and several nodes), or {@code none}: kept in the state store as before
 *                 there was a database (memory: lost at a restart; Redis: in Redis' memory)
 * @param username for PostgreSQL, unless the URL names one; null otherwise
 * @param password for PostgreSQL; null otherwise
 */
public record RecordSettings(String url, String username, String password) {
  public static final String NONE = "none";
  public static final String DEFAULT_FILE = "data/switchboard.db";

  public static RecordSettings none() {
    return new RecordSettings(NONE, null, null);
  }

  public boolean kept() {
    return !NONE.equals(url);
  }

  public boolean sqlite() {
    return url.startsWith("jdbc:sqlite:");
  }

  public boolean postgres() {
    return url.startsWith("jdbc:postgresql:");
  }

  /** The URL without user information or parameters that may hold a password, for logs. */
  public String redactedUrl() {
    String u = url.replaceAll("//[^/@]*@", "//…@");
    int q = u.indexOf('?');
    return q < 0 ? u : u.substring(0, q);
  }

  @Override
  public String toString() {
    return "RecordSettings[" + redactedUrl() + "]";
  }
}
