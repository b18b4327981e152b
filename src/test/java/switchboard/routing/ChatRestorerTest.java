package switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import switchboard.config.RecordSettings;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatState;
import switchboard.domain.Directory;
import switchboard.domain.Guest;
import switchboard.domain.QueueConfig;
import switchboard.record.JdbcRecordStore;
import switchboard.record.RecordStore;
import switchboard.store.InMemoryStateStore;

/**
 * A one-node restart puts running chats back with the timers that were in the lost memory: the
 * guest's grace, and for a chat nobody answered yet its queue's maximum wait, from its start.
 */
class ChatRestorerTest {
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
  @TempDir
  Path folder;
  private Vertx vertx;
  private RecordStore record;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    record = await(JdbcRecordStore.open(vertx, new RecordSettings("jdbc:sqlite:" + folder.resolve("r.db"), null, null)));
  }

  @AfterEach
  void tearDown() {
    await(record.close());
    await(vertx.close());
  }

  @Test
  void anUnansweredChatGetsItsMaximumWaitBackAndAnAnsweredOneDoesNot() {
    Directory directory = new Directory(List.of(
        new QueueConfig("ill", "ILL", List.of(), 75, 600, null, null, null, false, null),
        new QueueConfig("general", "General", List.of(), 75, null, null, null, null, false, null)), List.of(), List.of());
    Chat waiting = chat("waiting", "ill", NOW.minusSeconds(100));
    Chat answered = chat("answered", "ill", NOW.minusSeconds(100)).edit().state(ChatState.active)
        .operator("alice", "Alice").answeredQueue("ill").acceptedAt(NOW.minusSeconds(90)).build();
    Chat unlimited = chat("unlimited", "general", NOW.minusSeconds(100));
    for (Chat c : List.of(waiting, answered, unlimited)) {
      await(record.recordChat(c, List.of(), List.of(new ChatEvent(c.createdAt(), ChatEvent.ASKED, c.queue(), null))));
    }
    InMemoryStateStore store = new InMemoryStateStore();

    assertThat(await(ChatRestorer.restore(store, record, directory, 60, NOW))).isEqualTo(3);

    assertThat(await(store.claimDueTimers(NOW.plusSeconds(499), 100))).as("not due before its 600 s")
        .doesNotContain(TimerKind.MAX_WAIT.key("waiting"));
    assertThat(await(store.claimDueTimers(NOW.plusSeconds(500), 100)))
        .contains(TimerKind.MAX_WAIT.key("waiting"))
        .doesNotContain(TimerKind.MAX_WAIT.key("answered"), TimerKind.MAX_WAIT.key("unlimited"));
  }

  private static Chat chat(String id, String queue, Instant at) {
    return Chat.newChat(id, new Guest("Pat", null, null, null, Guest.WEB, null), "hash", queue, at);
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
