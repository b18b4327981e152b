package switchboard.record;

import static org.assertj.core.api.Assertions.assertThat;
import static switchboard.record.RecordStoreContract.await;

import io.vertx.core.Vertx;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import switchboard.config.RecordSettings;
import switchboard.domain.Chat;
import switchboard.domain.ChatMessage;
import switchboard.domain.ChatState;
import switchboard.domain.Guest;

/**
 * The journal in front of the one-node SQLite record: an acknowledged message is in a file before
 * the database, so a node killed between the two loses nothing, and nothing reads the database
 * before the journal's messages are in it.
 */
class FileJournaledRecordTest {
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00.123456Z");
  @TempDir
  Path folder;
  private Vertx vertx;
  private RecordSettings settings;
  private final List<RecordStore> opened = new ArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    settings = new RecordSettings("jdbc:sqlite:" + folder.resolve("data/switchboard.db"), null, null);
  }

  @AfterEach
  void tearDown() {
    opened.forEach(r -> r.close().otherwiseEmpty().toCompletionStage().toCompletableFuture().join());
    await(vertx.close());
  }

  @Test
  void messagesJournaledButNotYetInTheDatabaseAreThereAfterAKill() throws Exception {
    RecordStore database = await(JdbcRecordStore.open(vertx, settings));
    RecordStore journaled = await(FileJournaledRecord.open(vertx, database, MessageFiles.folderFor(settings), 0));
    List<RecordedMessage> sent = messages("kill", "Is the map room open on Sunday?", "It is, from noon.", "Thanks!");
    await(journaled.recordMessages(sent.subList(0, 1)));
    await(journaled.recordMessages(sent.subList(1, 3)));
    // a kill: the node never drains; its files, lock and connection go away with the process
    await(((FileJournaledRecord) journaled).abandon());
    await(database.close());
    assertThat(rowsInDatabase("kill")).as("acknowledged, not yet in the database").isZero();

    RecordStore reopened = open(JdbcRecordStore.open(vertx, settings).map(r -> (RecordStore) r));
    assertThat(await(reopened.journal("kill"))).isEqualTo(sent);
    assertThat(MessageFiles.segments(MessageFiles.folderFor(settings))).as("replayed files are deleted").isEmpty();
  }

  @Test
  void messagesOverSeveralSegmentsAndALargeBatchAreAllThereAfterAKill() throws Exception {
    RecordStore database = await(JdbcRecordStore.open(vertx, settings));
    // segments of 100 KB: a backlog of 5,000 drains at once, each time in a new segment
    RecordStore journaled = await(FileJournaledRecord.open(vertx, database, MessageFiles.folderFor(settings), 0,
        FileJournaledRecord.SLOW_APPEND_MS, 100_000));
    List<RecordedMessage> sent = new ArrayList<>();
    for (int batch = 0; batch < 300; batch++) { // 15,000 messages
      List<RecordedMessage> lines = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        long seq = sent.size() + lines.size() + 1;
        lines.add(new RecordedMessage("many", new ChatMessage(seq, ChatMessage.FROM_GUEST, "Guest",
            "question " + seq + " about the map room's hours, the ILL form and the reading room".repeat(3),
            T0.plusMillis(seq)), "c-" + seq));
      }
      await(journaled.recordMessages(lines));
      sent.addAll(lines);
    }
    String chapter = "A long answer, pasted from the catalogue. ".repeat(100); // ~4 KB
    List<RecordedMessage> large = new ArrayList<>();
    for (int i = 0; i < 1_100; i++) { // ~4.6 MB in one batch
      long seq = sent.size() + i + 1;
      large.add(new RecordedMessage("large", new ChatMessage(i + 1, ChatMessage.FROM_OPERATOR, "Alice", chapter,
          T0.plusMillis(seq)), null));
    }
    await(journaled.recordMessages(large));
    await(((FileJournaledRecord) journaled).abandon());
    await(database.close());

    RecordStore reopened = open(JdbcRecordStore.open(vertx, settings).map(r -> (RecordStore) r));
    assertThat(await(reopened.journal("many"))).isEqualTo(sent);
    assertThat(await(reopened.journal("large"))).isEqualTo(large);
    assertThat(MessageFiles.segments(MessageFiles.folderFor(settings))).isEmpty();
  }

  /**
   * Drains do not start a file each: one segment takes the messages until it is full, and is deleted
   * once drained. A kill then leaves a segment that is partly in the database already; the next
   * start puts in only the rest, and never brings back a transcript that retention deleted.
   */
  @Test
  void drainsShareASegmentUntilItIsFullAndAReplayAddsOnlyWhatTheDatabaseLacks() throws Exception {
    RecordStore database = await(JdbcRecordStore.open(vertx, settings));
    Path files = MessageFiles.folderFor(settings);
    RecordStore journaled = await(FileJournaledRecord.open(vertx, database, files, 0,
        FileJournaledRecord.SLOW_APPEND_MS, 4_000));
    List<RecordedMessage> closedChat = messages("closed", "Do you have the 1921 census?", "Yes, on film.", "Thanks");
    await(journaled.recordMessages(closedChat));
    Instant endedAt = T0.plusSeconds(60);
    Chat closed = Chat.newChat("closed", new Guest("Pat", null, null), "hash", "ill", T0).edit()
        .state(ChatState.closed).operator("alice", "Alice").answeredQueue("ill").acceptedAt(T0.plusSeconds(1))
        .ended(endedAt, "guest").build();
    await(journaled.recordChat(closed, closedChat.stream().map(RecordedMessage::message).toList(), List.of()));
    assertThat(await(journaled.forgetTranscriptsEndedBefore(endedAt.plusSeconds(1)))).isEqualTo(1);
    assertThat(await(journaled.transcript("closed"))).as("retention deleted it").isEmpty();

    List<RecordedMessage> running = messages("running", "one", "two", "three", "four", "five", "six");
    List<Path> segmentsSeen = new ArrayList<>();
    for (int i = 0; i < 4; i++) { // four drains of small batches
      await(journaled.recordMessages(running.subList(i, i + 1)));
      assertThat(await(journaled.journal("running"))).hasSize(i + 1);
      segmentsSeen.addAll(MessageFiles.segments(files));
    }
    assertThat(segmentsSeen).as("the same segment through four drains").hasSize(4).containsOnly(segmentsSeen.get(0));
    await(journaled.recordMessages(running.subList(4, 6))); // not drained: the kill comes first
    await(((FileJournaledRecord) journaled).abandon());
    await(database.close());

    RecordStore reopened = open(JdbcRecordStore.open(vertx, settings).map(r -> (RecordStore) r));
    assertThat(await(reopened.journal("running"))).isEqualTo(running);
    assertThat(seqsIn("messages", "running")).as("only the undrained messages became rows").containsExactly(5L, 6L);
    assertThat(await(reopened.transcript("closed"))).as("not brought back by the replay").isEmpty();
    assertThat(MessageFiles.segments(files)).isEmpty();
  }

  @Test
  void aFullSegmentIsFollowedByTheNextAndDeletedOnceItsMessagesAreInTheDatabase() throws Exception {
    RecordStore database = await(JdbcRecordStore.open(vertx, settings));
    Path files = MessageFiles.folderFor(settings);
    RecordStore journaled = open(FileJournaledRecord.open(vertx, database, files, 0,
        FileJournaledRecord.SLOW_APPEND_MS, 1_000));
    List<RecordedMessage> sent = messages("full", "x".repeat(600), "y".repeat(600), "z");
    await(journaled.recordMessages(sent.subList(0, 2))); // past 1,000 bytes
    Path first = MessageFiles.segments(files).get(0);
    assertThat(await(journaled.journal("full"))).hasSize(2);
    await(journaled.recordMessages(sent.subList(2, 3)));
    assertThat(MessageFiles.segments(files)).as("the full one drained and deleted, the next in use")
        .hasSize(1).doesNotContain(first);
    assertThat(await(journaled.journal("full"))).isEqualTo(sent);
  }

  @Test
  void aBurstGoesIntoTheDatabaseInAFewTransactionsEvenWhileItIsSlow() throws Exception {
    RecordStore database = await(JdbcRecordStore.open(vertx, settings));
    AtomicInteger transactions = new AtomicInteger();
    // the database as a slow disk makes it: each batch of messages takes 300 ms
    RecordStore slow = withRecordChunks(database, chunks -> {
      transactions.incrementAndGet();
      return vertx.timer(300).compose(t -> database.recordChunks(chunks));
    });
    RecordStore journaled = open(FileJournaledRecord.open(vertx, slow, MessageFiles.folderFor(settings), 0));
    List<RecordedMessage> sent = new ArrayList<>();
    for (int batch = 0; batch < 60; batch++) { // past 5,000 pending after 25 batches: 35 batches more while it drains
      List<RecordedMessage> lines = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        long seq = sent.size() + lines.size() + 1;
        lines.add(new RecordedMessage("burst", new ChatMessage(seq, ChatMessage.FROM_GUEST, "Guest", "line " + seq,
            T0.plusMillis(seq)), "c-" + seq));
      }
      await(journaled.recordMessages(lines));
      sent.addAll(lines);
    }
    assertThat(await(journaled.journal("burst"))).isEqualTo(sent);
    // 60 acknowledged batches, a few transactions: what SQLite was spared on the message path
    assertThat(transactions.get()).as("transactions into the database").isBetween(1, 4);
  }

  /** {@code database}, with its drains' writes ({@code recordChunks}) going through {@code recordChunks}. */
  @SuppressWarnings("unchecked")
  private static RecordStore withRecordChunks(RecordStore database,
      java.util.function.Function<List<MessageChunk>, io.vertx.core.Future<Void>> recordChunks) {
    return (RecordStore) Proxy.newProxyInstance(RecordStore.class.getClassLoader(),
        new Class<?>[] {RecordStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("recordChunks")) {
            return recordChunks.apply((List<MessageChunk>) args[0]);
          }
          try {
            return method.invoke(database, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /**
   * The drain hands the database the journal's own lines, grouped by chat; after a failed drain it
   * reads them again from the files. Texts with newlines, quotes and non-ASCII letters go through
   * both ways whole.
   */
  @Test
  void aDrainThatFailsIsDoneAgainFromTheFilesAndLosesNothing() throws Exception {
    RecordStore database = await(JdbcRecordStore.open(vertx, settings));
    AtomicInteger tries = new AtomicInteger();
    RecordStore failingOnce = withRecordChunks(database, chunks -> tries.incrementAndGet() == 1
        ? io.vertx.core.Future.failedFuture("database is locked")
        : database.recordChunks(chunks));
    RecordStore journaled = open(FileJournaledRecord.open(vertx, failingOnce, MessageFiles.folderFor(settings), 0));
    List<RecordedMessage> first = messages("retry", "Line one\nline two", "\"Quoted\" \\ back", "Bibliothèque 図書館 📚");
    List<RecordedMessage> other = messages("other", "Another chat, same drain");
    await(journaled.recordMessages(first.subList(0, 2)));
    await(journaled.recordMessages(other));
    await(journaled.recordMessages(first.subList(2, 3)));
    assertThat(journaled.journal("retry").toCompletionStage().toCompletableFuture().handle((r, e) -> e).join())
        .as("the first drain fails, and so does the read waiting for it").isNotNull();
    List<RecordedMessage> later = messages("retry", "a", "b", "c", "d", "After the failure").subList(4, 5);
    await(journaled.recordMessages(later));

    List<RecordedMessage> all = new ArrayList<>(first);
    all.addAll(later);
    assertThat(await(journaled.journal("retry"))).isEqualTo(all);
    assertThat(await(journaled.journal("other"))).isEqualTo(other);
    assertThat(tries.get()).isEqualTo(2);
    assertThat(rowsInDatabase("retry")).isEqualTo(4);
  }

  @Test
  void everyReadOfChatsSeesTheMessagesJournaledBeforeIt() {
    RecordStore database = await(JdbcRecordStore.open(vertx, settings));
    RecordStore journaled = open(FileJournaledRecord.open(vertx, database, MessageFiles.folderFor(settings), 0));
    List<RecordedMessage> sent = messages("read", "one", "two");
    await(journaled.recordMessages(sent));
    assertThat(await(journaled.transcript("read"))).isEqualTo(sent.stream().map(RecordedMessage::message).toList());
    await(journaled.recordMessages(messages("read", "one", "two", "three").subList(2, 3)));
    assertThat(await(journaled.journal("read"))).hasSize(3);
  }

  @Test
  void whileMessagesArriveTheyReachTheDatabaseWithoutAnyoneReading() throws Exception {
    RecordStore database = await(JdbcRecordStore.open(vertx, settings));
    RecordStore journaled = open(FileJournaledRecord.open(vertx, database, MessageFiles.folderFor(settings)));
    await(journaled.recordMessages(messages("tick", "one", "two", "three")));
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (rowsInDatabase("tick") < 3 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(rowsInDatabase("tick")).isEqualTo(3);
  }

  @Test
  void aStopPutsEveryJournaledMessageIntoTheDatabase() throws Exception {
    RecordStore database = await(JdbcRecordStore.open(vertx, settings));
    RecordStore journaled = await(FileJournaledRecord.open(vertx, database, MessageFiles.folderFor(settings), 0));
    await(journaled.recordMessages(messages("stop", "one", "two")));
    await(journaled.close());
    assertThat(rowsInDatabase("stop")).isEqualTo(2);
    assertThat(MessageFiles.segments(MessageFiles.folderFor(settings))).isEmpty();
  }

  @Test
  void aSecondOpeningOfTheDatabaseLeavesTheJournalOfTheRunningNodeAlone() throws Exception {
    RecordStore database = await(JdbcRecordStore.open(vertx, settings));
    RecordStore journaled = open(FileJournaledRecord.open(vertx, database, MessageFiles.folderFor(settings), 0));
    List<RecordedMessage> sent = messages("export", "one", "two");
    await(journaled.recordMessages(sent));
    // e.g. export-record while the node runs: replaying would delete the file the node appends to
    RecordStore second = open(JdbcRecordStore.open(vertx, settings).map(r -> (RecordStore) r));
    assertThat(MessageFiles.segments(MessageFiles.folderFor(settings))).isNotEmpty();
    assertThat(await(second.journal("export"))).as("not yet in the database").isEmpty();
    assertThat(await(journaled.journal("export"))).isEqualTo(sent);
    assertThat(await(second.journal("export"))).isEqualTo(sent);
    assertThat(FileJournaledRecord.open(vertx, second, MessageFiles.folderFor(settings), 0)
        .toCompletionStage().toCompletableFuture().handle((r, e) -> e).get())
        .as("a second node on the same journal").hasMessageContaining("another process journals messages");
  }

  @Test
  void anUnfinishedLastLineIsSkippedAndASegmentWithAnUnreadableLineIsKeptForRepair() throws Exception {
    Path files = MessageFiles.folderFor(settings);
    Files.createDirectories(files);
    List<RecordedMessage> sent = messages("torn", "one", "two", "three");
    Files.writeString(files.resolve("segment-1.jsonl"), line(sent.get(0)) + "\n" + line(sent.get(1)) + "\n"
        + line(sent.get(2)).substring(0, 20), StandardCharsets.UTF_8);
    List<RecordedMessage> other = messages("mended", "four", "five");
    Files.writeString(files.resolve("segment-2.jsonl"), line(other.get(0)) + "\n{\"c\":\"mended\",\"s\":\n"
        + line(other.get(1)) + "\n", StandardCharsets.UTF_8);

    RecordStore reopened = open(JdbcRecordStore.open(vertx, settings).map(r -> (RecordStore) r));
    assertThat(await(reopened.journal("torn"))).isEqualTo(sent.subList(0, 2));
    assertThat(await(reopened.journal("mended"))).isEqualTo(other);
    assertThat(files.resolve("segment-1.jsonl")).doesNotExist();
    assertThat(files.resolve("segment-2.jsonl.unreadable")).exists();
  }

  @Test
  void appendsLeaveTheEventLoopForTheJournalsThreadWhenTheDiskIsSlowAndLoseNothing() throws Exception {
    RecordStore database = await(JdbcRecordStore.open(vertx, settings));
    // every append counts as slow: the disk of this test holds each write "too long"
    RecordStore journaled = open(FileJournaledRecord.open(vertx, database, MessageFiles.folderFor(settings), 0, 0));
    List<RecordedMessage> sent = messages("slow", "one", "two", "three", "four", "five", "six");
    List<Boolean> writtenBeforeTheCallReturned = new ArrayList<>();
    List<io.vertx.core.Future<Void>> writes = new ArrayList<>();
    io.vertx.core.Promise<Void> called = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> { // as routing's event loop calls it
      for (RecordedMessage m : sent) {
        io.vertx.core.Future<Void> write = journaled.recordMessages(List.of(m));
        writtenBeforeTheCallReturned.add(write.isComplete());
        writes.add(write);
      }
      called.complete();
    });
    await(called.future());
    // (a write on the journal's thread may also be done before the call returns: the thread is quick)
    assertThat(writtenBeforeTheCallReturned.subList(0, 3)).as("written before the call returned")
        .containsExactly(true, true, true);
    await(io.vertx.core.Future.all(writes));
    assertThat(((FileJournaledRecord) journaled).appendsOnCaller())
        .as("three slow appends on the caller's thread, then the journal's thread").isEqualTo(3);
    assertThat(await(journaled.journal("slow"))).as("in order, nothing lost across the move").isEqualTo(sent);
  }

  @Test
  void quickAppendsAreWrittenBeforeTheCallReturns() throws Exception {
    RecordStore database = await(JdbcRecordStore.open(vertx, settings));
    RecordStore journaled = open(FileJournaledRecord.open(vertx, database, MessageFiles.folderFor(settings), 0,
        60_000));
    List<RecordedMessage> sent = messages("quick", "one", "two", "three", "four", "five");
    for (RecordedMessage m : sent) {
      assertThat(journaled.recordMessages(List.of(m)).isComplete()).as("no hand-over to a thread").isTrue();
    }
    assertThat(await(journaled.journal("quick"))).isEqualTo(sent);
  }

  private RecordStore open(io.vertx.core.Future<RecordStore> opening) {
    RecordStore r = await(opening);
    opened.add(r);
    return r;
  }

  private static String line(RecordedMessage m) throws Exception {
    ChatMessage c = m.message();
    return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(new MessageFiles.Line(m.chatId(),
        c.seq(), JdbcRecordStore.micros(c.at()), c.from(), c.name(), c.text(), m.clientId()));
  }

  private static List<RecordedMessage> messages(String chatId, String... texts) {
    List<RecordedMessage> all = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      String from = i % 2 == 0 ? ChatMessage.FROM_GUEST : ChatMessage.FROM_OPERATOR;
      all.add(new RecordedMessage(chatId, new ChatMessage(i + 1, from, from.equals("guest") ? "Guest" : "Alice",
          texts[i], T0.plusMillis(i * 1500L)), from.equals("guest") ? "c-" + (i + 1) : null));
    }
    return all;
  }

  /** The seqs of a chat's rows in {@code table} ("messages"), in order. */
  private List<Long> seqsIn(String table, String chatId) throws SQLException {
    List<Long> seqs = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(settings.url());
        PreparedStatement s = c.prepareStatement("SELECT seq FROM " + table + " WHERE chat_id = ? ORDER BY seq")) {
      s.setString(1, chatId);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          seqs.add(r.getLong(1));
        }
      }
    }
    return seqs;
  }

  /** A chat's messages in the database, as rows or in a running chat's chunks (V6), each seq once. */
  private int rowsInDatabase(String chatId) throws SQLException {
    java.util.Set<Long> seqs = new java.util.HashSet<>();
    try (Connection c = DriverManager.getConnection(settings.url())) {
      try (PreparedStatement s = c.prepareStatement("SELECT seq FROM messages WHERE chat_id = ?")) {
        s.setString(1, chatId);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            seqs.add(r.getLong(1));
          }
        }
      }
      try (PreparedStatement s = c.prepareStatement("SELECT lines FROM message_chunks WHERE chat_id = ?")) {
        s.setString(1, chatId);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            MessageFiles.fromChunkLines(chatId, r.getString(1)).forEach(m -> seqs.add(m.message().seq()));
          }
        }
      }
    }
    return seqs.size();
  }
}
