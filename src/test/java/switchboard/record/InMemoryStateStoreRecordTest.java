package switchboard.record;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.store.InMemoryStateStore;
import switchboard.store.StateStore;

/** The record kept in the in-memory state store ({@code "record": {"url": "none"}} on one node). */
class InMemoryStateStoreRecordTest extends RecordStoreContract {
  private InMemoryStateStore store;

  @Override
  protected Future<RecordStore> newRecord(Vertx vertx) {
    store = new InMemoryStateStore();
    return Future.succeededFuture(new StateStoreRecord(store, "memory"));
  }

  @Override
  protected void given(Chat chat, List<ChatMessage> messages, List<ChatEvent> timeline) {
    put(store, chat, messages, timeline);
  }

  /** A chat gets there the way routing puts it: created, then its messages and timeline appended. */
  static void put(StateStore store, Chat chat, List<ChatMessage> messages, List<ChatEvent> timeline) {
    await(store.createChat(chat));
    for (ChatMessage m : messages) {
      await(store.appendMessage(chat.id(), m.from(), m.name(), m.text(), m.at(), null));
    }
    for (ChatEvent e : timeline) {
      await(store.appendChatEvent(chat.id(), e));
    }
  }
}
