package switchboard.routing;

import io.vertx.core.Future;
import java.time.Clock;
import switchboard.bus.EventRelay;
import switchboard.bus.Frames;
import switchboard.domain.Chat;
import switchboard.domain.ChatMessage;
import switchboard.record.MessageJournal;
import switchboard.store.StateStore;

/** What the service itself tells a chat's guest ("Transferring you to …"): stored, journaled, relayed. */
final class SystemMessages {
  private final StateStore store;
  private final MessageJournal journal;
  private final EventRelay relay;
  private final Clock clock;

  SystemMessages(StateStore store, MessageJournal journal, EventRelay relay, Clock clock) {
    this.store = store;
    this.journal = journal;
    this.relay = relay;
    this.clock = clock;
  }

  Future<Void> send(Chat chat, String text) {
    return store.appendMessage(chat.id(), ChatMessage.FROM_SYSTEM, null, text, clock.instant(), null)
        .compose(m -> journal.write(chat.id(), m, null).map(m))
        .map(m -> {
          relay.toGuest(chat.id(), Frames.messageToGuest(m));
          return (Void) null;
        });
  }
}
