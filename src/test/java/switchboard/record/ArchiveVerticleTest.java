package switchboard.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import switchboard.bus.Addresses;
import switchboard.config.RecordSettings;
import switchboard.domain.Chat;
import switchboard.stats.ChatFigures;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.domain.ChatState;
import switchboard.e2e.TestNode;
import switchboard.store.InMemoryStateStore;
import switchboard.store.StateStore;

/**
 * Issue 15: the archive writes a chat this node changed into the record, and once an ended chat is
 * there the state store forgets it after a while, so neither memory nor Redis grows for ever;
 * reads then come from the record ({@link ChatHistory}).
 */
@ExtendWith(VertxExtension.class)
class ArchiveVerticleTest {
  @TempDir
  Path folder;

  @Test
  void anEndedChatGoesToTheRecordAndLeavesTheStateStore(Vertx vertx) {
    StateStore hot = new InMemoryStateStore();
    RecordStore record = RecordStoreContract.await(JdbcRecordStore.open(vertx,
        new RecordSettings("jdbc:sqlite:" + folder.resolve("record.db"), null, null)));
    RecordStoreContract.await(vertx.deployVerticle(new ArchiveVerticle(hot, record, true, Clock.systemUTC(),
        Duration.ofMillis(300), Duration.ofMinutes(1), Duration.ofMinutes(12))));
    ChatHistory history = new ChatHistory(hot, record);

    Chat chat = RecordStoreContract.newChat("kept", RecordStoreContract.T0);
    RecordStoreContract.await(hot.createChat(chat));
    RecordStoreContract.await(hot.appendMessage("kept", ChatMessage.FROM_GUEST, "Pat", "Is the library open?",
        RecordStoreContract.T0.plusSeconds(1), "c1"));
    RecordStoreContract.await(hot.appendChatEvent("kept", new ChatEvent(RecordStoreContract.T0, ChatEvent.ASKED, "ill", null)));
    Chat ended = chat.edit().state(ChatState.abandoned).ended(RecordStoreContract.T0.plusSeconds(40), "guest").build();
    RecordStoreContract.await(hot.replaceChat(chat, ended, 5));
    vertx.eventBus().publish(Addresses.RECORD_CHAT, "kept");

    TestNode.waitUntil(() -> RecordStoreContract.await(record.recordedChat("kept")) != null, Duration.ofSeconds(5),
        "the chat in the record");
    assertThat(RecordStoreContract.await(record.recordedChat("kept")).state()).isEqualTo(ChatState.abandoned);
    TestNode.waitUntil(() -> RecordStoreContract.await(hot.chat("kept")) == null, Duration.ofSeconds(5),
        "the state store to forget the ended chat");

    assertThat(RecordStoreContract.await(history.chat("kept"))).isEqualTo(ended);
    assertThat(RecordStoreContract.await(history.transcript("kept")).stream().map(ChatMessage::text))
        .containsExactly("Is the library open?");
    assertThat(RecordStoreContract.await(history.timeline("kept"))).hasSize(1);
    assertThat(RecordStoreContract.await(history.chatFigures(RecordStoreContract.T0,
        RecordStoreContract.T0.plusSeconds(1), null))).extracting(ChatFigures::id).isEqualTo(List.of("kept"));
    RecordStoreContract.await(record.close());
  }

  /**
   * On Redis a chat outlives the node it ran on: when that node died between the chat's end and
   * its next batch, nobody had it marked. Another node's archive finds it (ended long ago, still
   * in the state store), records it with its messages, and the state store forgets it.
   */
  @Test
  void anEndedChatWhoseNodeDiedBeforeWritingItIsRecordedByAnotherNode(Vertx vertx) {
    StateStore hot = new InMemoryStateStore();
    RecordStore record = RecordStoreContract.await(JdbcRecordStore.open(vertx,
        new RecordSettings("jdbc:sqlite:" + folder.resolve("record.db"), null, null)));
    Chat chat = RecordStoreContract.newChat("stranded", RecordStoreContract.T0);
    RecordStoreContract.await(hot.createChat(chat));
    RecordStoreContract.await(hot.appendMessage("stranded", ChatMessage.FROM_GUEST, "Pat", "Anyone there?",
        RecordStoreContract.T0.plusSeconds(1), "c1"));
    Chat ended = chat.edit().state(ChatState.abandoned).ended(RecordStoreContract.T0.plusSeconds(40), "guest").build();
    RecordStoreContract.await(hot.replaceChat(chat, ended, 5));
    // a chat that ended just now is its own node's to write: the sweep leaves it
    Instant now = Instant.now();
    Chat recent = RecordStoreContract.newChat("recent", now).edit().state(ChatState.abandoned).ended(now, "guest").build();
    RecordStoreContract.await(hot.createChat(recent));

    // nothing is published on RECORD_CHAT: the node that ended it is gone
    RecordStoreContract.await(vertx.deployVerticle(new ArchiveVerticle(hot, record, true, Clock.systemUTC(),
        Duration.ofMinutes(10), Duration.ofMillis(200), Duration.ofMinutes(12))));

    TestNode.waitUntil(() -> RecordStoreContract.await(record.recordedChat("stranded")) != null, Duration.ofSeconds(5),
        "the stranded chat in the record");
    assertThat(RecordStoreContract.await(record.transcript("stranded")).stream().map(ChatMessage::text))
        .containsExactly("Anyone there?");
    TestNode.waitUntil(() -> RecordStoreContract.await(hot.chat("stranded")) == null, Duration.ofSeconds(5),
        "the state store to forget the stranded chat");
    assertThat(RecordStoreContract.await(record.recordedChat("recent"))).isNull();
    assertThat(RecordStoreContract.await(hot.chat("recent"))).isNotNull();
    RecordStoreContract.await(record.close());
  }
}
