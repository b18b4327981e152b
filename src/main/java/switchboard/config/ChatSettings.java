package switchboard.config;

/**
 * Timings and limits for chats (config key {@code "chats"}).
 *
 * @param guestGraceSeconds    how long a guest whose socket dropped may resume before the chat ends
 * @param operatorGraceSeconds how long an operator whose last console closed keeps their chats
 * @param maxTextLength        the longest message text accepted, in characters
 * @param messagesPerTenSeconds how many messages one socket may send in ten seconds
 */
public record ChatSettings(
    int guestGraceSeconds,
    int operatorGraceSeconds,
    int maxTextLength,
    int messagesPerTenSeconds) {

  public static ChatSettings defaults() {
    return new ChatSettings(60, 60, 4096, 30);
  }
}
