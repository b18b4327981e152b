package switchboard.domain;

/**
 * Who opened a chat, as they told us, and how they reach us: {@code channel} is "web"
 * (the widget or chat page) or "sms" (a texting number; {@code phone} is then theirs).
 * {@code question}: what they asked before the chat started (also its first message), or null.
 */
public record Guest(String name, String email, String page, String phone, String channel, String question) {
  public static final String WEB = "web";
  public static final String SMS = "sms";

  public Guest {
    channel = channel == null ? WEB : channel;
  }

  public Guest(String name, String email, String page) {
    this(name, email, page, null, WEB, null);
  }

  public Guest(String name, String email, String page, String phone, String channel) {
    this(name, email, page, phone, channel, null);
  }

  public boolean bySms() {
    return SMS.equals(channel);
  }
}
