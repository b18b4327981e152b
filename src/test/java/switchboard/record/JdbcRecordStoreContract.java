package switchboard.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.domain.ChatState;
import switchboard.stats.ChatFigures;
import switchboard.config.RecordSettings;

/** The contract for a record apart from the state store, plus how it takes a chat in batches. */
public abstract class JdbcRecordStoreContract extends RecordStoreContract {

  /** A database nobody has used yet. */
  protected abstract RecordSettings freshDatabase();

  @Override
  protected Future<RecordStore> newRecord(Vertx vertx) {
    return JdbcRecordStore.open(vertx, freshDatabase()).map(r -> r);
  }

  @Override
  protected void given(Chat chat, List<ChatMessage> messages, List<ChatEvent> timeline) {
    await(record.recordChat(chat, messages, timeline));
  }

  @Test
  void aRunningChatIsRecordedInBatchesAndEachMessageOnce() {
    Chat running = newChat("batched", T0).edit().state(ChatState.active).operator("alice", "Alice")
        .answeredQueue("ill").acceptedAt(T0.plusSeconds(3)).build();
    List<ChatMessage> all = messages(T0, "one", "two", "three", "four", "five");
    await(record.recordChat(running, all.subList(0, 3), List.of(new ChatEvent(T0, ChatEvent.ASKED, "ill", null))));
    // the next batch repeats a message whose write was not known to have landed
    Chat ended = running.edit().state(ChatState.closed).ended(T0.plusSeconds(90), "guest").build();
    List<ChatEvent> timeline = List.of(new ChatEvent(T0, ChatEvent.ASKED, "ill", null),
        new ChatEvent(T0.plusSeconds(90), "closed", null, null));
    await(record.recordChat(ended, all.subList(2, 5), timeline));

    assertThat(await(record.transcript("batched"))).isEqualTo(all);
    assertThat(await(record.recordedChat("batched")).state()).isEqualTo(ChatState.closed);
    assertThat(await(record.timeline("batched"))).isEqualTo(timeline);
    assertThat(await(record.chatsCreatedBetween(T0, T0.plusSeconds(1)))).hasSize(1);
  }

  /**
   * How the one-node journal's drain hands a running chat's messages over (V6): one chunk per chat
   * per call, read back merged with the rows; rows of their own once the chat's end is recorded.
   */
  @Test
  void aRunningChatsMessagesArriveInChunksThatBecomeRowsWhenItEnds() throws Exception {
    RecordSettings settings = freshDatabase();
    RecordStore chunked = await(JdbcRecordStore.open(vertx, settings));
    try {
      Chat running = newChat("chunked", T0).edit().state(ChatState.active).operator("alice", "Alice")
          .answeredQueue("ill").acceptedAt(T0.plusSeconds(3)).build();
      await(chunked.recordChat(running, List.of(), List.of()));
      List<ChatMessage> all = messages(T0, "Can I renew this?", "Yes, for two weeks.", "Even the atlas?",
          "The atlas too.", "Thanks!");
      List<RecordedMessage> recorded = all.stream()
          .map(m -> new RecordedMessage("chunked", m, m.from().equals(ChatMessage.FROM_GUEST) ? "c-" + m.seq() : null))
          .toList();
      RecordedMessage other = new RecordedMessage("other", all.get(0), "o-1");
      await(chunked.recordMessages(List.of(recorded.get(0), other, recorded.get(1), recorded.get(2))));
      // a drain retried after a failure it could not see the end of: repeats a message, with more after it
      await(chunked.recordMessages(recorded.subList(2, 5)));

      assertThat(await(chunked.journal("chunked"))).as("each message once, in order, with its client's id")
          .isEqualTo(recorded);
      assertThat(await(chunked.transcript("chunked"))).isEqualTo(all);
      assertThat(await(chunked.journal("other"))).containsExactly(other);
      assertThat(count(settings, "SELECT count(*) FROM message_chunks WHERE chat_id = 'chunked'"))
          .as("one row per chat per call, not one per message").isEqualTo(2);

      Chat ended = running.edit().state(ChatState.closed).ended(T0.plusSeconds(90), "guest").build();
      await(chunked.recordChat(ended, List.of(), List.of()));

      assertThat(await(chunked.transcript("chunked"))).isEqualTo(all);
      assertThat(count(settings, "SELECT count(*) FROM messages WHERE chat_id = 'chunked'")).isEqualTo(5);
      assertThat(count(settings, "SELECT count(*) FROM message_chunks WHERE chat_id = 'chunked'")).isZero();
      assertThat(await(chunked.searchArchive(new ArchiveQuery(T0, T0.plusSeconds(3600), null, null, null, null,
          List.of("atlas"), 50, 0))).chats()).as("the archive finds words of chunked messages")
          .extracting(ChatFigures::id).containsExactly("chunked");
      assertThat(await(chunked.journal("other"))).as("a running chat's chunks stay").containsExactly(other);
    } finally {
      await(chunked.close());
    }
  }

  private static long count(RecordSettings settings, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(settings.url(), settings.username(), settings.password());
        PreparedStatement s = c.prepareStatement(sql); java.sql.ResultSet r = s.executeQuery()) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void chatsRecordedBeforeStatsHadColumnsGetThemWhenTheSchemaMigrates() throws Exception {
    RecordSettings settings = freshDatabase();
    Flyway.configure().dataSource(settings.url(), settings.username(), settings.password())
        .locations("classpath:db/migration").target("2").load().migrate();
    Chat old = ended("before-v3", T0).edit().offeredQueues(List.of("ill", "general")).build();
    try (Connection c = DriverManager.getConnection(settings.url(), settings.username(), settings.password());
        PreparedStatement s = c.prepareStatement("INSERT INTO chats (id, created_at, ended_at, state, recorded_queue,"
            + " answered_queue, operator_id, channel, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, old.id());
      s.setLong(2, JdbcRecordStore.micros(old.createdAt()));
      s.setLong(3, JdbcRecordStore.micros(old.endedAt()));
      s.setString(4, old.state().name());
      s.setString(5, old.recordedQueue());
      s.setString(6, old.answeredQueue());
      s.setString(7, old.operatorId());
      s.setString(8, old.guest().channel());
      s.setString(9, JdbcRecordStore.JSON.writeValueAsString(old));
      s.executeUpdate();
    }

    RecordStore migrated = await(JdbcRecordStore.open(vertx, settings));
    try {
      assertThat(await(migrated.chatFigures(T0, T0.plusSeconds(1), "ill"))).containsExactly(ChatFigures.of(old));
    } finally {
      await(migrated.close());
    }
  }
}
