package switchboard.record;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.stats.ChatFigures;
import switchboard.store.StateStore;

/**
 * Chats wherever they are: in flight (or just ended) in the state store, ended in the record. A
 * chat the state store no longer has (a one-node restart, or a node that did not see it) is read
 * from the record. With the record kept in the state store itself, that is one read.
 */
public final class ChatHistory {
  private final StateStore hot;
  private final RecordStore record;
  private final boolean separate;

  public ChatHistory(StateStore hot, RecordStore record) {
    this.hot = hot;
    this.record = record;
    this.separate = !record.inStateStore();
  }

  /** The chat, or null. */
  public Future<Chat> chat(String chatId) {
    return hot.chat(chatId).compose(chat -> chat != null || !separate ? Future.succeededFuture(chat)
        : record.recordedChat(chatId));
  }

  /** Its messages: from the state store while it holds the chat, else from the record. */
  public Future<List<ChatMessage>> transcript(String chatId) {
    if (!separate) {
      return hot.messagesAfter(chatId, 0);
    }
    return hot.chat(chatId).compose(chat -> chat != null ? hot.messagesAfter(chatId, 0) : record.transcript(chatId));
  }

  public Future<List<ChatEvent>> timeline(String chatId) {
    if (!separate) {
      return hot.chatEvents(chatId);
    }
    return hot.chat(chatId).compose(chat -> chat != null ? hot.chatEvents(chatId) : record.timeline(chatId));
  }

  /**
   * What stats need of the chats created in [from, to) (on one recorded queue unless null), from
   * both, each once, oldest first. The state store's copy wins: the record is written from it, so
   * while the state store holds a chat its copy is the newer one.
   */
  public Future<List<ChatFigures>> chatFigures(Instant from, Instant to, String recordedQueue) {
    if (!separate) {
      return record.chatFigures(from, to, recordedQueue);
    }
    return Future.all(record.chatFigures(from, to, recordedQueue), hot.chatsCreatedBetween(from, to)).map(all -> {
      Map<String, ChatFigures> byId = new LinkedHashMap<>();
      for (ChatFigures figures : all.<List<ChatFigures>>resultAt(0)) {
        byId.put(figures.id(), figures);
      }
      for (Chat chat : all.<List<Chat>>resultAt(1)) {
        if (recordedQueue == null || recordedQueue.equals(chat.recordedQueue())) {
          byId.put(chat.id(), ChatFigures.of(chat));
        }
      }
      List<ChatFigures> merged = new ArrayList<>(byId.values());
      merged.sort(Comparator.comparing(ChatFigures::createdAt).thenComparing(ChatFigures::id));
      return merged;
    });
  }
}
