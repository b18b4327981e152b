package switchboard.record;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.List;
import switchboard.bus.Addresses;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;

/**
 * How a stored message reaches the record (issue 15), chosen by where the state lives:
 * <ul>
 *   <li>{@link Mode#BEFORE_ACK}: the state store is this node's memory, so an acknowledged message
 *       must already be in the record or a killed node would lose it. Writes are group-committed:
 *       while one batch is written, the messages that arrive wait and go together in the next, so a
 *       burst costs one write per batch rather than one per message. On SQLite the
 *       write is to a file ({@link FileJournaledRecord}), not a transaction.</li>
 *   <li>{@link Mode#BATCHED}: the state store (Redis) outlives the node; the chat is marked for the
 *       archive's next batch ({@link ArchiveVerticle}).</li>
 *   <li>{@link Mode#NONE}: the state store is the record.</li>
 * </ul>
 * Used from one context (routing's).
 */
public final class MessageJournal {
  public enum Mode { NONE, BATCHED, BEFORE_ACK }

  private final RecordStore record;
  private final EventBus bus;
  private final Mode mode;
  private List<Pending> waiting = new ArrayList<>();
  private boolean writing;

  private record Pending(RecordedMessage message, Promise<Void> done) {}

  public MessageJournal(RecordStore record, EventBus bus, Mode mode) {
    this.record = record;
    this.bus = bus;
    this.mode = mode;
  }

  public static MessageJournal none() {
    return new MessageJournal(null, null, Mode.NONE);
  }

  public Mode mode() {
    return mode;
  }

  /** Succeeds once the message is as safe as this mode makes it (at once unless {@link Mode#BEFORE_ACK}). */
  public Future<Void> write(String chatId, ChatMessage message, String clientId) {
    switch (mode) {
      case NONE -> {
        return Future.succeededFuture();
      }
      case BATCHED -> {
        bus.publish(Addresses.RECORD_CHAT, chatId);
        return Future.succeededFuture();
      }
      default -> {
        Promise<Void> done = Promise.promise();
        waiting.add(new Pending(new RecordedMessage(chatId, message, clientId), done));
        if (!writing) {
          writeBatch();
        }
        return done.future();
      }
    }
  }

  /**
   * Succeeds once a new chat is as safe as its messages will be: with {@link Mode#BEFORE_ACK} it is in
   * the record before its guest is told it started, so a node killed before the chat changes again
   * (an unanswered chat changes only when it is answered or ends) still has it to put back at its
   * restart; the other modes keep it where it already is.
   */
  public Future<Void> chatStarted(Chat chat, List<ChatEvent> timeline) {
    return mode == Mode.BEFORE_ACK ? record.recordChat(chat, List.of(), timeline) : Future.succeededFuture();
  }

  private void writeBatch() {
    List<Pending> batch = waiting;
    waiting = new ArrayList<>();
    writing = true;
    List<RecordedMessage> messages = new ArrayList<>(batch.size()); // no stream: it cost more than the write (JFR)
    for (Pending p : batch) {
      messages.add(p.message());
    }
    record.recordMessages(messages).onComplete(result -> {
      batch.forEach(p -> p.done().handle(result));
      writing = false;
      if (!waiting.isEmpty()) {
        writeBatch();
      }
    });
  }
}
