package switchboard.mail;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import switchboard.domain.Chat;
import switchboard.domain.ChatMessage;

/**
 * The text of a transcript mail: plain text only, one line per message as {@code HH:MM Name: text}.
 * Guest text is never interpreted (no HTML part), so whatever a guest typed arrives as typed.
 */
public record TranscriptMail(String subject, String body) {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEEE d MMMM uuuu", Locale.ENGLISH);
  /** Continuation lines of a multi-line message line up under its text and never start with "." or "From ". */
  private static final String CONTINUATION = "      ";

  /**
   * @param queueTitle the title of the queue the guest asked for
   * @param zone       the queue's time zone (its office hours'), or UTC
   */
  public static TranscriptMail of(Chat chat, String queueTitle, List<ChatMessage> messages, ZoneId zone) {
    ZonedDateTime started = chat.createdAt().atZone(zone);
    StringBuilder body = new StringBuilder()
        .append("Your chat with ").append(queueTitle).append(" on ").append(DATE.format(started)).append('\n')
        .append("Times are ").append(zone.getId().equals("Z") ? "UTC" : zone.getId()).append(".\n\n");
    for (ChatMessage m : messages) {
      body.append(TIME.format(m.at().atZone(zone))).append(' ').append(speaker(chat, m)).append(": ")
          .append(oneBlock(m.text())).append('\n');
    }
    if (messages.isEmpty()) {
      body.append("(no messages)\n");
    }
    return new TranscriptMail(oneLine("Your chat with " + queueTitle), body.toString());
  }

  private static String speaker(Chat chat, ChatMessage m) {
    if (m.name() != null && !m.name().isBlank()) {
      return oneLine(m.name());
    }
    return switch (m.from()) {
      case ChatMessage.FROM_GUEST -> chat.guest() != null && chat.guest().name() != null ? oneLine(chat.guest().name()) : "You";
      case ChatMessage.FROM_OPERATOR -> chat.operatorName() != null ? oneLine(chat.operatorName()) : "Staff";
      default -> "Notice";
    };
  }

  /** Line breaks of a message become indented continuation lines. */
  private static String oneBlock(String text) {
    return text.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\n" + CONTINUATION);
  }

  /** For the subject and names: a header has no line breaks. */
  private static String oneLine(String text) {
    return text.replaceAll("[\\r\\n\\t]+", " ").strip();
  }
}
