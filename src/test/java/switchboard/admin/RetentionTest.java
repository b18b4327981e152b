package switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import switchboard.domain.Chat;
import switchboard.domain.ChatMessage;
import switchboard.domain.ChatState;
import switchboard.domain.Guest;
import switchboard.store.InMemoryStateStore;
import switchboard.store.StateStore;

class RetentionTest {
  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

  private static <T> T await(Future<T> f) {
    return f.toCompletionStage().toCompletableFuture().join();
  }

  private static Chat ended(StateStore store, String id, Instant created, Instant ended) {
    Chat chat = Chat.newChat(id, new Guest("Pat", null, null), "h", "ill", created);
    await(store.createChat(chat));
    await(store.appendMessage(id, ChatMessage.FROM_GUEST, "Pat", "hello", created, null));
    Chat closed = chat.edit().state(ChatState.closed).ended(ended, "guest").build();
    await(store.replaceChat(chat, closed, 5));
    return closed;
  }

  @Test
  void messagesOfChatsEndedLongerAgoThanTheRetentionAreForgottenTheRecordsStay() {
    InMemoryStateStore store = new InMemoryStateStore();
    ended(store, "old", NOW.minusSeconds(86_400L * 31), NOW.minusSeconds(86_400L * 31 - 600));
    ended(store, "recent", NOW.minusSeconds(86_400L * 2), NOW.minusSeconds(86_400L * 2 - 600));
    Chat open = Chat.newChat("open", new Guest("Sam", null, null), "h", "ill", NOW.minusSeconds(86_400L * 35));
    await(store.createChat(open));
    await(store.appendMessage("open", ChatMessage.FROM_GUEST, "Sam", "still here", NOW, null));

    RetentionVerticle retention = new RetentionVerticle(store, new switchboard.record.StateStoreRecord(store, "in the store"), 30, Clock.fixed(NOW, ZoneOffset.UTC), 60_000);
    assertThat(await(retention.sweep())).isEqualTo(1);
    assertThat(await(store.messagesAfter("old", 0))).isEmpty();
    assertThat(await(store.chat("old"))).as("kept for stats").isNotNull();
    assertThat(await(store.messagesAfter("recent", 0))).hasSize(1);
    assertThat(await(store.messagesAfter("open", 0))).as("an open chat keeps its messages").hasSize(1);

    RetentionVerticle keepNone = new RetentionVerticle(store, new switchboard.record.StateStoreRecord(store, "in the store"), 0, Clock.fixed(NOW, ZoneOffset.UTC), 60_000);
    await(keepNone.sweep());
    assertThat(await(store.messagesAfter("recent", 0))).isEmpty();
    assertThat(await(store.messagesAfter("open", 0))).hasSize(1);
  }
}
