package switchboard.mail;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import switchboard.domain.Chat;
import switchboard.domain.ChatMessage;
import switchboard.domain.OfflineMessage;

/**
 * A librarian's answer by email (issue 16): to a question left with the form while nobody could
 * chat, or a follow-up to a chat. Plain text: what they wrote, who they are, and what it answers.
 */
public record FollowUpMail(String subject, String body) {
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("EEEE d MMMM uuuu 'at' HH:mm", Locale.ENGLISH);

  public static FollowUpMail forQuestion(OfflineMessage question, String queueTitle, String operatorName, String text,
      ZoneId zone) {
    StringBuilder body = signed(text, operatorName, queueTitle);
    body.append("\n--\nOn ").append(WHEN.format(question.createdAt().atZone(zone))).append(", you asked:\n");
    question.question().lines().forEach(line -> body.append("> ").append(line).append('\n'));
    return new FollowUpMail("Re: your question to " + queueTitle, body.toString());
  }

  public static FollowUpMail forChat(Chat chat, String queueTitle, List<ChatMessage> messages, String operatorName,
      String text, ZoneId zone) {
    StringBuilder body = signed(text, operatorName, queueTitle);
    body.append("\n--\n").append(TranscriptMail.of(chat, queueTitle, messages, zone).body());
    return new FollowUpMail("Following up on your chat with " + queueTitle, body.toString());
  }

  private static StringBuilder signed(String text, String operatorName, String queueTitle) {
    return new StringBuilder(text.strip()).append("\n\n").append(operatorName).append('\n').append(queueTitle)
        .append('\n');
  }
}
