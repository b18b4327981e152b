package switchboard.config;

/**
 * Timings and limits for chats (config key {@code "chats"}).
 *
 * @param guestGraceSeconds    how long a guest whose socket dropped may resume before the chat ends
 * @param operatorGraceSeconds how long an operator whose last console closed keeps their chats
 * @param maxTextLength        the longest message text accepted, in characters
 * @param messagesPerTenSeconds how many messages one socket may send in ten seconds
 * @param operatorAwayAfterIdleSeconds a console nobody touched this long sets its operator away
 *                                     (0: never); the console does it, told in its {@code ready} frame
 */
public record ChatSettings(
    int guestGraceSeconds,
    int operatorGraceSeconds,
    int maxTextLength,
    int messagesPerTenSeconds,
    int operatorAwayAfterIdleSeconds) {

  public ChatSettings(int guestGraceSeconds, int operatorGraceSeconds, int maxTextLength, int messagesPerTenSeconds) {
    this(guestGraceSeconds, operatorGraceSeconds, maxTextLength, messagesPerTenSeconds, DEFAULT_AWAY_AFTER_IDLE_SECONDS);
  }

  public static final int DEFAULT_AWAY_AFTER_IDLE_SECONDS = 15 * 60;

  public static ChatSettings defaults() {
    return new ChatSettings(60, 60, 4096, 30, DEFAULT_AWAY_AFTER_IDLE_SECONDS);
  }
}
