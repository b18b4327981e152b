package switchboard.domain;

import java.time.Instant;

/** A question left with the leave-a-message form while nobody could chat; operators work through them. */
public record OfflineMessage(
    String id,
    String queue,
    String name,
    String email,
    String question,
    String page,
    Instant createdAt,
    boolean done,
    String doneBy,
    Instant doneAt) {

  public OfflineMessage markDone(String operatorId, Instant at) {
    return new OfflineMessage(id, queue, name, email, question, page, createdAt, true, operatorId, at);
  }
}
