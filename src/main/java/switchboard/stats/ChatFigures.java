package switchboard.stats;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import switchboard.domain.Chat;
import switchboard.domain.ChatState;

/**
 * What stats need of one chat: a handful of columns the record keeps beside the chat's document,
 * so a report over a year reads rows, not transcripts or documents.
 */
public record ChatFigures(
    String id,
    Instant createdAt,
    Instant acceptedAt,
    Instant endedAt,
    ChatState state,
    String recordedQueue,
    String answeredQueue,
    String operatorId,
    String channel,
    List<String> offeredQueues,
    String guestName,
    Integer rating,
    String ratingComment,
    String resolution) {

  public ChatFigures {
    offeredQueues = offeredQueues == null ? List.of() : List.copyOf(offeredQueues);
  }

  /** From asking to being answered, in whole seconds; null when nobody answered. */
  public Long waitSeconds() {
    return acceptedAt == null ? null : Duration.between(createdAt, acceptedAt).toSeconds();
  }

  /** From being answered to the end, in whole seconds; null until both happened. */
  public Long lengthSeconds() {
    return acceptedAt == null || endedAt == null ? null : Duration.between(acceptedAt, endedAt).toSeconds();
  }

  public static ChatFigures of(Chat chat) {
    return new ChatFigures(chat.id(), chat.createdAt(), chat.acceptedAt(), chat.endedAt(), chat.state(),
        chat.recordedQueue(), chat.answeredQueue(), chat.operatorId(),
        chat.guest() == null ? null : chat.guest().channel(), chat.offeredQueues(),
        chat.guest() == null ? null : chat.guest().name(), chat.outcome().rating(), chat.outcome().comment(),
        chat.outcome().resolution());
  }
}
