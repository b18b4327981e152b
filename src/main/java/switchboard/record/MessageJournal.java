package switchboard.record;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import switchboard.domain.ChatMessage;

/**
 * Where the state store is this node's memory, an acknowledged message must already be in the
 * record, or a killed node would lose it: each message is written before its ack (issue 15). Writes
 * are group-committed: while one batch is written, the messages that arrive wait and go together
 * in the next, so a burst costs one commit per batch rather than one per message. Used from one
 * context (routing's); off (every write succeeds at once) where the state store outlives the node
 * (Redis) or is itself the record.
 */
public final class MessageJournal {
  private final RecordStore record;
  private final boolean on;
  private List<Pending> waiting = new ArrayList<>();
  private boolean writing;

  private record Pending(RecordedMessage message, Promise<Void> done) {}

  public MessageJournal(RecordStore record, boolean on) {
    this.record = record;
    this.on = on;
  }

  public static MessageJournal off() {
    return new MessageJournal(null, false);
  }

  /** Succeeds once the message is in the record (at once when the journal is off). */
  public Future<Void> write(String chatId, ChatMessage message, String clientId) {
    if (!on) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    waiting.add(new Pending(new RecordedMessage(chatId, message, clientId), done));
    if (!writing) {
      writeBatch();
    }
    return done.future();
  }

  private void writeBatch() {
    List<Pending> batch = waiting;
    waiting = new ArrayList<>();
    writing = true;
    record.recordMessages(batch.stream().map(Pending::message).toList()).onComplete(result -> {
      batch.forEach(p -> p.done().handle(result));
      writing = false;
      if (!waiting.isEmpty()) {
        writeBatch();
      }
    });
  }
}
