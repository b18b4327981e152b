package switchboard.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import switchboard.auth.PasswordHasher;
import switchboard.config.AppConfig;
import switchboard.config.ConfigLoader;
import switchboard.domain.CannedResponse;
import switchboard.domain.Chat;
import switchboard.stats.ChatFigures;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.domain.ChatState;
import switchboard.domain.Guest;
import switchboard.domain.Outcome;
import switchboard.domain.OfflineMessage;
import switchboard.store.DirectoryDoc;

/**
 * What every {@link RecordStore} must do (issue 15). Subclasses give a fresh, empty record per test
 * and say how a chat gets into it: a record apart from the state store is written by
 * {@link RecordStore#recordChat}; the record kept in the state store holds what the state store holds.
 */
@ExtendWith(VertxExtension.class)
public abstract class RecordStoreContract {
  protected static final Instant T0 = Instant.parse("2026-11-26T10:02:11.123456Z");

  private static final String HASH = PasswordHasher.hash("a long passphrase".toCharArray(), 1_000);

  protected RecordStore record;
  protected Vertx vertx;

  protected abstract Future<RecordStore> newRecord(Vertx vertx);

  /** Puts a chat with these messages (seq 1…) and this timeline where the record reads it. */
  protected abstract void given(Chat chat, List<ChatMessage> messages, List<ChatEvent> timeline);

  @BeforeEach
  void open(Vertx vertx) {
    this.vertx = vertx;
    record = await(newRecord(vertx));
  }

  @AfterEach
  void close() {
    if (record != null) {
      await(record.close());
    }
  }

  // ---- the set-up ----------------------------------------------------------------------------

  @Test
  void theSetUpIsReplacedOnlyByWhoeverReadTheVersionItReplaces() {
    assertThat(await(record.directory())).as("nothing stored yet").isNull();
    DirectoryDoc first = directory(1, "Interlibrary Loan");
    assertThat(await(record.replaceDirectory(0, first))).isTrue();
    assertThat(await(record.replaceDirectory(0, directory(1, "Someone else's")))).as("seeded already").isFalse();

    DirectoryDoc second = directory(2, "ILL and document delivery");
    assertThat(await(record.replaceDirectory(1, second))).isTrue();
    assertThat(await(record.replaceDirectory(1, directory(2, "stale")))).as("an editor who read version 1").isFalse();

    DirectoryDoc stored = await(record.directory());
    assertThat(stored.version()).isEqualTo(2);
    assertThat(stored.queues()).isEqualTo(second.queues());
    assertThat(stored.operators()).isEqualTo(second.operators());
    assertThat(stored.operators().get(0).passwordHash()).as("password hashes are kept")
        .isEqualTo(second.operators().get(0).passwordHash());
    assertThat(stored.sms()).isEqualTo(second.sms());
  }

  // ---- canned responses and offline questions --------------------------------------------------

  @Test
  void cannedResponsesArePutReplacedAndDeleted() {
    CannedResponse hours = new CannedResponse("c1", "ill", null, "hours", "We are open 9–5.");
    CannedResponse mine = new CannedResponse("c2", null, "alice", "hi", "Hello, I'm Alice <b>!</b>");
    await(record.putCannedResponse(hours));
    await(record.putCannedResponse(mine));
    CannedResponse changed = new CannedResponse("c1", "ill", null, "hours", "We are open 8–6.");
    await(record.putCannedResponse(changed));
    assertThat(await(record.cannedResponses())).containsExactlyInAnyOrder(changed, mine);
    assertThat(await(record.deleteCannedResponse("c1"))).isTrue();
    assertThat(await(record.deleteCannedResponse("c1"))).as("gone already").isFalse();
    assertThat(await(record.cannedResponses())).containsExactly(mine);
  }

  @Test
  void offlineQuestionsAreListedOldestFirstAndMarkedDoneOnce() {
    OfflineMessage later = offline("o2", T0.plusSeconds(60));
    OfflineMessage earlier = offline("o1", T0);
    await(record.addOfflineMessage(later));
    await(record.addOfflineMessage(earlier));
    assertThat(await(record.offlineMessages())).containsExactly(earlier, later);

    OfflineMessage done = await(record.markOfflineMessageDone("o1", "alice", T0.plusSeconds(120)));
    assertThat(done.done()).isTrue();
    assertThat(done.doneBy()).isEqualTo("alice");
    OfflineMessage again = await(record.markOfflineMessageDone("o1", "bob", T0.plusSeconds(180)));
    assertThat(again.doneBy()).as("the first who answered it keeps it").isEqualTo("alice");
    assertThat(again.doneAt()).isEqualTo(T0.plusSeconds(120));
    assertThat(await(record.markOfflineMessageDone("nope", "bob", T0))).isNull();
    assertThat(await(record.offlineMessages())).containsExactly(done, later);
  }

  // ---- chats ---------------------------------------------------------------------------------

  @Test
  void anEndedChatIsReadWithItsTranscriptAndTimeline() {
    Chat chat = ended("chat-a", T0);
    List<ChatMessage> messages = messages(T0, "Do you have this book?", "Yes, on the 3rd floor <script>");
    List<ChatEvent> timeline = List.of(new ChatEvent(T0, ChatEvent.ASKED, "ill", null),
        new ChatEvent(T0.plusSeconds(1), ChatEvent.OFFERED, "ill", null),
        new ChatEvent(T0.plusSeconds(5), ChatEvent.ACCEPTED, "general", "alice"),
        new ChatEvent(T0.plusSeconds(60), "closed", null, "alice"));
    given(chat, messages, timeline);

    Chat read = await(record.recordedChat("chat-a"));
    assertThat(read.state()).isEqualTo(ChatState.closed);
    assertThat(read.recordedQueue()).isEqualTo("ill");
    assertThat(read.answeredQueue()).isEqualTo("general");
    assertThat(read.operatorId()).isEqualTo("alice");
    assertThat(read.endedAt()).isEqualTo(chat.endedAt());
    assertThat(read.guest()).isEqualTo(chat.guest());
    assertThat(await(record.transcript("chat-a"))).isEqualTo(messages);
    assertThat(await(record.timeline("chat-a"))).isEqualTo(timeline);

    assertThat(await(record.recordedChat("unknown"))).isNull();
    assertThat(await(record.transcript("unknown"))).isEmpty();
    assertThat(await(record.timeline("unknown"))).isEmpty();
  }

  @Test
  void statsReadTheChatsCreatedInARangeOldestFirst() {
    given(ended("c-2", T0.plusSeconds(3600)), messages(T0.plusSeconds(3600), "two"), List.of());
    given(ended("c-1", T0), messages(T0, "one"), List.of());
    given(ended("c-3", T0.plus(Duration.ofDays(1))), List.of(), List.of());
    assertThat(await(record.chatsCreatedBetween(T0, T0.plus(Duration.ofDays(1)))).stream().map(Chat::id))
        .containsExactly("c-1", "c-2");
    assertThat(await(record.chatsCreatedBetween(T0.plusMillis(1), T0.plus(Duration.ofDays(2)))).stream()
        .map(Chat::id)).containsExactly("c-2", "c-3");
  }

  @Test
  void statsFiguresAreTheChatsColumnsOnOneRecordedQueueOrAll() {
    given(ended("answered", T0).edit().offeredQueues(List.of("ill", "general"))
        .outcome(new Outcome(4, "quick, thanks", "referred", "alice")).build(), List.of(), List.of());
    Chat missed = Chat.newChat("missed", new Guest(null, null, null), "hash-m", "general", T0.plusSeconds(10))
        .edit().offeredQueues(List.of("general")).state(ChatState.missed).ended(T0.plusSeconds(100), "timeout").build();
    given(missed, List.of(), List.of());

    List<ChatFigures> all = await(record.chatFigures(T0, T0.plusSeconds(3600), null));
    assertThat(all).extracting(ChatFigures::id).containsExactly("answered", "missed");
    assertThat(all.get(0)).isEqualTo(ChatFigures.of(await(record.recordedChat("answered"))));
    assertThat(all.get(0).offeredQueues()).containsExactly("ill", "general");
    assertThat(all.get(0).acceptedAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(all.get(0).guestName()).isEqualTo("Pat");
    assertThat(all.get(0).rating()).isEqualTo(4);
    assertThat(all.get(0).ratingComment()).isEqualTo("quick, thanks");
    assertThat(all.get(0).resolution()).isEqualTo("referred");
    assertThat(all.get(1).rating()).isNull();
    assertThat(all.get(1).acceptedAt()).isNull();
    assertThat(all.get(1).state()).isEqualTo(ChatState.missed);
    assertThat(await(record.chatFigures(T0, T0.plusSeconds(3600), "general"))).extracting(ChatFigures::id)
        .containsExactly("missed");
    assertThat(await(record.chatFigures(T0.plusSeconds(1), T0.plusSeconds(3600), "ill"))).isEmpty();
  }

  @Test
  void theArchiveFindsEndedChatsByQueueOperatorRatingResolutionAndWords() {
    given(ended("renewal", T0).edit().outcome(new Outcome(5, null, "answered", "alice")).build(),
        messages(T0, "Can I renew my interlibrary loan?", "Yes, a renewal is possible."), List.of());
    Chat maps = Chat.newChat("maps", new Guest("Sam", null, null), "hash-maps", "general", T0.plusSeconds(60))
        .edit().state(ChatState.closed).operator("bob", "Bob").answeredQueue("general")
        .acceptedAt(T0.plusSeconds(65)).ended(T0.plusSeconds(120), "operator")
        .outcome(new Outcome(2, "slow", "referred", "bob")).build();
    given(maps, messages(T0.plusSeconds(60), "Where are the maps?", "Second floor, ask at the desk."), List.of());
    Chat running = newChat("running", T0.plusSeconds(90)).edit().state(ChatState.active).operator("alice", "Alice")
        .answeredQueue("ill").acceptedAt(T0.plusSeconds(91)).build();
    given(running, messages(T0.plusSeconds(90), "Renew this too?"), List.of());
    Instant to = T0.plus(Duration.ofDays(1));

    assertThat(search(new ArchiveQuery(T0, to, null, null, null, null, List.of(), 50, 0)))
        .as("ended chats only, newest first").containsExactly("maps", "renewal");
    assertThat(search(new ArchiveQuery(T0, to, null, null, null, null, List.of("renew"), 50, 0)))
        .as("a word starts a word of a message").containsExactly("renewal");
    assertThat(search(new ArchiveQuery(T0, to, null, null, null, null, List.of("possible", "interlibrary"), 50, 0)))
        .as("every word, in any message of the chat").containsExactly("renewal");
    assertThat(search(new ArchiveQuery(T0, to, null, null, null, null, List.of("maps", "interlibrary"), 50, 0)))
        .isEmpty();
    assertThat(search(new ArchiveQuery(T0, to, "general", null, null, null, List.of(), 50, 0)))
        .as("asked or answered on the queue").containsExactly("maps", "renewal");
    assertThat(search(new ArchiveQuery(T0, to, "ill", null, null, null, List.of(), 50, 0))).containsExactly("renewal");
    assertThat(search(new ArchiveQuery(T0, to, null, "bob", null, null, List.of(), 50, 0))).containsExactly("maps");
    assertThat(search(new ArchiveQuery(T0, to, null, null, 5, null, List.of(), 50, 0))).containsExactly("renewal");
    assertThat(search(new ArchiveQuery(T0, to, null, null, null, "referred", List.of(), 50, 0)))
        .containsExactly("maps");
    assertThat(search(new ArchiveQuery(T0.plusSeconds(1), to, null, null, null, null, List.of(), 50, 0)))
        .containsExactly("maps");
    ArchivePage second = await(record.searchArchive(new ArchiveQuery(T0, to, null, null, null, null, List.of(), 1, 1)));
    assertThat(second.chats()).extracting(ChatFigures::id).containsExactly("renewal");
    assertThat(second.total()).isEqualTo(2);
    assertThat(second.chats().get(0).rating()).isEqualTo(5);
  }

  private List<String> search(ArchiveQuery query) {
    return await(record.searchArchive(query)).chats().stream().map(ChatFigures::id).toList();
  }

  @Test
  void retentionForgetsTheMessagesOfChatsThatEndedLongAgoButKeepsTheChats() {
    Instant now = T0.plus(Duration.ofDays(30));
    given(ended("old", now.minus(Duration.ofDays(10))), messages(now.minus(Duration.ofDays(10)), "old question"),
        List.of());
    given(ended("recent", now.minus(Duration.ofDays(1))), messages(now.minus(Duration.ofDays(1)), "new question"),
        List.of());
    Chat running = newChat("running", now.minus(Duration.ofDays(8))).edit().state(ChatState.active)
        .operator("alice", "Alice").answeredQueue("ill").acceptedAt(now.minus(Duration.ofDays(8))).build();
    given(running, messages(now.minus(Duration.ofDays(8)), "still talking"), List.of());

    await(record.forgetTranscriptsEndedBefore(now.minus(Duration.ofDays(5))));

    assertThat(await(record.transcript("old"))).isEmpty();
    assertThat(await(record.recordedChat("old"))).as("stats still count it").isNotNull();
    assertThat(await(record.transcript("recent"))).hasSize(1);
    assertThat(await(record.transcript("running"))).as("a chat that has not ended").hasSize(1);
  }

  // ---- audit ---------------------------------------------------------------------------------

  @Test
  void adminChangesAreAuditedInOrder() {
    AuditEntry first = new AuditEntry(T0, "admin", "operator.updated", "bob", "role: operator → admin");
    AuditEntry second = new AuditEntry(T0.plusSeconds(5), "admin", "queue.deleted", "ill", null);
    await(record.audit(first));
    await(record.audit(second));
    assertThat(await(record.auditLog(T0, T0.plusSeconds(60)))).containsExactly(first, second);
    assertThat(await(record.auditLog(T0.plusSeconds(1), T0.plusSeconds(60)))).containsExactly(second);
  }

  // ---- fixtures ------------------------------------------------------------------------------

  protected static Chat newChat(String id, Instant at) {
    return Chat.newChat(id, new Guest("Pat", "pat@example.org", "https://example.org/ill"), "hash-" + id, "ill", at);
  }

  /** Asked on ill, answered by alice on general, closed by her a minute later. */
  protected static Chat ended(String id, Instant at) {
    return newChat(id, at).edit().state(ChatState.closed).operator("alice", "Alice").answeredQueue("general")
        .acceptedAt(at.plusSeconds(5)).ended(at.plusSeconds(60), "operator").build();
  }

  /** Alternating guest and operator messages a second apart, seq 1…. */
  protected static List<ChatMessage> messages(Instant from, String... texts) {
    List<ChatMessage> all = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      boolean guest = i % 2 == 0;
      all.add(new ChatMessage(i + 1, guest ? ChatMessage.FROM_GUEST : ChatMessage.FROM_OPERATOR,
          guest ? "Pat" : "Alice", texts[i], from.plusSeconds(i + 1)));
    }
    return all;
  }

  protected static OfflineMessage offline(String id, Instant at) {
    return new OfflineMessage(id, "ill", "Pat", "pat@example.org", "Can I renew by phone?", "https://example.org",
        at, false, null, null);
  }

  protected static DirectoryDoc directory(long version, String illTitle) {
    AppConfig c = ConfigLoader.parse("""
        {"queues": [{"name": "ill", "title": "%s", "backups": ["general"]}, {"name": "general", "title": "Ask"}],
         "operators": [{"id": "alice", "name": "Alice", "queues": ["ill", "general"], "role": "admin",
                        "passwordHash": "%s"}]}
        """.formatted(illTitle, HASH), "test", Map.of());
    return new DirectoryDoc(version, c.queues(), c.operators(), c.sms());
  }

  protected static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError("future did not complete: " + e, e);
    }
  }
}
