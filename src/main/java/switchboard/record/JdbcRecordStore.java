package switchboard.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.auth.Tokens;
import switchboard.config.RecordSettings;
import switchboard.domain.CannedResponse;
import switchboard.domain.Chat;
import switchboard.domain.ChatState;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.domain.OfflineMessage;
import switchboard.stats.ChatFigures;
import switchboard.store.DirectoryDoc;

/**
 * The record in a database over JDBC: SQLite (embedded, one file) or PostgreSQL. JDBC because one
 * code path then serves both, and Flyway, which migrates the schema at start, speaks only JDBC.
 * Every call runs on a worker pool of the pool's size, never on an event loop; connections come
 * from HikariCP (one for SQLite, which has one writer at a time; several for PostgreSQL).
 * SQLite runs in WAL mode with {@code synchronous=NORMAL}: a committed write survives the process
 * being killed.
 */
public final class JdbcRecordStore implements RecordStore {
  private static final Logger log = LoggerFactory.getLogger(JdbcRecordStore.class);
  static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final TypeReference<List<ChatEvent>> EVENTS = new TypeReference<>() {};
  private static final int POSTGRES_POOL = 8;

  private final HikariDataSource pool;
  private final WorkerExecutor workers;
  private final String description;
  private final boolean sqlite;
  /** SQLite's planner statistics are refreshed this often ({@code PRAGMA optimize}); PostgreSQL's autovacuum does its own. */
  private static final long OPTIMIZE_EVERY_MS = 60 * 60 * 1000;
  private Vertx vertx;
  private long optimizeTimer = -1;

  private JdbcRecordStore(HikariDataSource pool, WorkerExecutor workers, String description, boolean sqlite) {
    this.sqlite = sqlite;
    this.pool = pool;
    this.workers = workers;
    this.description = description;
  }

  /**
   * Connects, creates the SQLite file's folder if needed and migrates the schema; fails with a
   * message that names the database when it cannot.
   */
  public static Future<JdbcRecordStore> open(Vertx vertx, RecordSettings settings) {
    int size = settings.sqlite() ? 1 : POSTGRES_POOL;
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("switchboard-record-" + Tokens.newId().substring(0, 8),
        size, 60, TimeUnit.SECONDS);
    return workers.executeBlocking(() -> connect(settings, size), false)
        .map(pool -> new JdbcRecordStore(pool, workers,
            (settings.sqlite() ? "SQLite record at " : "PostgreSQL record at ") + settings.redactedUrl(),
            settings.sqlite()).optimizingEvery(vertx))
        .recover(e -> {
          workers.close();
          return Future.failedFuture(new IllegalStateException(
              "record.url " + settings.redactedUrl() + ": cannot open the record: " + e.getMessage(), e));
        });
  }

  /** A pool on the record's database with its schema migrated (blocking). */
  static HikariDataSource connect(RecordSettings settings, int size) throws IOException, SQLException {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(settings.url());
    config.setPoolName("switchboard-record");
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(10_000);
    config.setInitializationFailTimeout(10_000);
    if (settings.sqlite()) {
      Path file = Path.of(settings.url().substring("jdbc:sqlite:".length()));
      Path folder = file.toAbsolutePath().getParent();
      if (folder != null) {
        Files.createDirectories(folder);
      }
      config.setDriverClassName("org.sqlite.JDBC");
      config.addDataSourceProperty("journal_mode", "WAL");
      config.addDataSourceProperty("synchronous", "NORMAL");
      config.addDataSourceProperty("busy_timeout", "10000");
      config.setMaxLifetime(0); // one connection, kept
    } else {
      config.setDriverClassName("org.postgresql.Driver");
      if (settings.username() != null) {
        config.setUsername(settings.username());
      }
      if (settings.password() != null) {
        config.setPassword(settings.password());
      }
    }
    HikariDataSource pool = new HikariDataSource(config);
    try {
      var result = Flyway.configure().dataSource(pool).locations("classpath:db/migration")
          .loggers("slf4j").load().migrate();
      if (settings.sqlite()) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
          // what a killed node acknowledged but had not put in the database yet, before anyone reads it
          MessageFiles.replay(MessageFiles.folderFor(settings), c);
          s.execute("PRAGMA optimize=0x10002"); // at open: analyses what needs it, as SQLite advises
        }
      }
      if (result.migrationsExecuted > 0) {
        log.info("record schema migrated to version {} ({} migrations)", result.targetSchemaVersion,
            result.migrationsExecuted);
      }
      return pool;
    } catch (RuntimeException | SQLException | IOException e) {
      pool.close();
      throw e;
    }
  }

  @Override
  public Future<Void> ping() {
    return call(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT 1"); ResultSet r = s.executeQuery()) {
        r.next();
        return null;
      }
    });
  }

  @Override
  public String describe() {
    return description;
  }

  /** SQLite: the archive search's plans stay good as the record grows (see {@link #OPTIMIZE_EVERY_MS}). */
  private JdbcRecordStore optimizingEvery(Vertx vertx) {
    if (sqlite) {
      this.vertx = vertx;
      optimizeTimer = vertx.setPeriodic(OPTIMIZE_EVERY_MS, id -> call(c -> {
        try (Statement s = c.createStatement()) {
          s.execute("PRAGMA optimize");
        }
        return null;
      }).onFailure(e -> log.debug("PRAGMA optimize failed: {}", e.getMessage())));
    }
    return this;
  }

  @Override
  public Future<Void> close() {
    if (vertx != null) {
      vertx.cancelTimer(optimizeTimer);
    }
    return workers.executeBlocking(() -> {
      pool.close();
      return (Void) null;
    }, false).eventually(() -> workers.close());
  }

  // ---- the set-up ----------------------------------------------------------------------------

  @Override
  public Future<DirectoryDoc> directory() {
    return call(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT doc FROM directory WHERE id = 1");
          ResultSet r = s.executeQuery()) {
        return r.next() ? read(r.getString(1), DirectoryDoc.class) : null;
      }
    });
  }

  @Override
  public Future<Boolean> replaceDirectory(long expectedVersion, DirectoryDoc next) {
    String doc = write(next);
    return call(c -> {
      if (expectedVersion == 0) {
        try (PreparedStatement s = c.prepareStatement(
            "INSERT INTO directory (id, version, doc) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING")) {
          s.setLong(1, next.version());
          s.setString(2, doc);
          return s.executeUpdate() == 1;
        }
      }
      try (PreparedStatement s = c.prepareStatement(
          "UPDATE directory SET version = ?, doc = ? WHERE id = 1 AND version = ?")) {
        s.setLong(1, next.version());
        s.setString(2, doc);
        s.setLong(3, expectedVersion);
        return s.executeUpdate() == 1;
      }
    });
  }

  // ---- canned responses ----------------------------------------------------------------------

  @Override
  public Future<Void> putCannedResponse(CannedResponse response) {
    String doc = write(response);
    return call(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO canned_responses (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc")) {
        s.setString(1, response.id());
        s.setString(2, doc);
        s.executeUpdate();
        return null;
      }
    });
  }

  @Override
  public Future<Boolean> deleteCannedResponse(String id) {
    return call(c -> {
      try (PreparedStatement s = c.prepareStatement("DELETE FROM canned_responses WHERE id = ?")) {
        s.setString(1, id);
        return s.executeUpdate() == 1;
      }
    });
  }

  @Override
  public Future<List<CannedResponse>> cannedResponses() {
    return call(c -> list(c, "SELECT doc FROM canned_responses ORDER BY id", s -> { },
        r -> read(r.getString(1), CannedResponse.class)));
  }

  // ---- offline questions ---------------------------------------------------------------------

  @Override
  public Future<Void> addOfflineMessage(OfflineMessage message) {
    String doc = write(message);
    return call(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO offline_messages (id, created_at, done, doc) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
        s.setString(1, message.id());
        s.setLong(2, micros(message.createdAt()));
        s.setBoolean(3, message.done());
        s.setString(4, doc);
        s.executeUpdate();
        return null;
      }
    });
  }

  @Override
  public Future<List<OfflineMessage>> offlineMessages() {
    return call(c -> list(c, "SELECT doc FROM offline_messages ORDER BY created_at, id", s -> { },
        r -> read(r.getString(1), OfflineMessage.class)));
  }

  @Override
  public Future<OfflineMessage> markOfflineMessageDone(String id, String operatorId, Instant at) {
    return call(c -> {
      OfflineMessage message;
      try (PreparedStatement s = c.prepareStatement("SELECT doc FROM offline_messages WHERE id = ?")) {
        s.setString(1, id);
        try (ResultSet r = s.executeQuery()) {
          if (!r.next()) {
            return null;
          }
          message = read(r.getString(1), OfflineMessage.class);
        }
      }
      if (message.done()) {
        return message;
      }
      OfflineMessage done = message.markDone(operatorId, at);
      // only the first marks it: a concurrent second finds done = true and reads the first's answer
      try (PreparedStatement s = c.prepareStatement(
          "UPDATE offline_messages SET done = ?, doc = ? WHERE id = ? AND done = ?")) {
        s.setBoolean(1, true);
        s.setString(2, write(done));
        s.setString(3, id);
        s.setBoolean(4, false);
        if (s.executeUpdate() == 1) {
          return done;
        }
      }
      try (PreparedStatement s = c.prepareStatement("SELECT doc FROM offline_messages WHERE id = ?")) {
        s.setString(1, id);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? read(r.getString(1), OfflineMessage.class) : null;
        }
      }
    });
  }

  // ---- chats ---------------------------------------------------------------------------------

  @Override
  public Future<Void> recordChat(Chat chat, List<ChatMessage> messages, List<ChatEvent> timeline) {
    String doc = write(chat);
    String events = write(timeline);
    return transaction(c -> {
      try (PreparedStatement s = c.prepareStatement("""
          INSERT INTO chats (id, created_at, ended_at, state, recorded_queue, answered_queue, operator_id, channel, doc,
            accepted_at, offered_queues, guest_name, rating, rating_comment, resolution)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (id) DO UPDATE SET ended_at = excluded.ended_at, state = excluded.state,
            recorded_queue = excluded.recorded_queue, answered_queue = excluded.answered_queue,
            operator_id = excluded.operator_id, channel = excluded.channel, doc = excluded.doc,
            accepted_at = excluded.accepted_at, offered_queues = excluded.offered_queues,
            guest_name = excluded.guest_name, rating = excluded.rating, rating_comment = excluded.rating_comment,
            resolution = excluded.resolution""")) {
        s.setString(1, chat.id());
        s.setLong(2, micros(chat.createdAt()));
        setMicros(s, 3, chat.endedAt());
        s.setString(4, chat.state().name());
        s.setString(5, chat.recordedQueue());
        s.setString(6, chat.answeredQueue());
        s.setString(7, chat.operatorId());
        s.setString(8, chat.guest() == null ? null : chat.guest().channel());
        s.setString(9, doc);
        setMicros(s, 10, chat.acceptedAt());
        s.setString(11, String.join(",", chat.offeredQueues()));
        s.setString(12, chat.guest() == null ? null : chat.guest().name());
        if (chat.outcome().rating() == null) {
          s.setNull(13, java.sql.Types.INTEGER);
        } else {
          s.setInt(13, chat.outcome().rating());
        }
        s.setString(14, chat.outcome().comment());
        s.setString(15, chat.outcome().resolution());
        s.executeUpdate();
      }
      if (!messages.isEmpty()) {
        try (PreparedStatement s = c.prepareStatement(
            "INSERT INTO messages (chat_id, seq, at, sender, name, body) VALUES (?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (chat_id, seq) DO NOTHING")) {
          for (ChatMessage m : messages) {
            s.setString(1, chat.id());
            s.setLong(2, m.seq());
            s.setLong(3, micros(m.at()));
            s.setString(4, m.from());
            s.setString(5, m.name());
            s.setString(6, m.text());
            s.addBatch();
          }
          s.executeBatch();
        }
      }
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO timelines (chat_id, doc) VALUES (?, ?) ON CONFLICT (chat_id) DO UPDATE SET doc = excluded.doc")) {
        s.setString(1, chat.id());
        s.setString(2, events);
        s.executeUpdate();
      }
      if (chat.state().isEnded()) {
        settleChunks(c, chat.id());
        indexWords(c, chat.id());
      }
      return null;
    });
  }

  /** Every ended chat not in the archive's word index yet goes in (after an import; blocking). */
  static void indexMissingWords(Connection c, boolean sqlite) throws SQLException {
    try (Statement s = c.createStatement()) {
      if (!sqlite) {
        s.execute("UPDATE chats c SET words = to_tsvector('simple', COALESCE((SELECT string_agg(m.body, ' ' ORDER BY"
            + " m.seq) FROM messages m WHERE m.chat_id = c.id), '') || ' ' || COALESCE(c.rating_comment, ''))"
            + " WHERE c.ended_at IS NOT NULL AND c.words IS NULL");
        return;
      }
      s.execute("UPDATE chats SET words_row = (SELECT COALESCE(MAX(words_row), 0) FROM chats) + rowid"
          + " WHERE ended_at IS NOT NULL AND words_row IS NULL");
      s.execute("INSERT INTO chat_words(rowid, body) SELECT c.words_row, COALESCE((SELECT group_concat(m.body, ' ')"
          + " FROM messages m WHERE m.chat_id = c.id), '') || ' ' || COALESCE(c.rating_comment, '') FROM chats c"
          + " WHERE c.words_row IS NOT NULL AND c.words_row NOT IN (SELECT rowid FROM chat_words)");
    }
  }

  /** An ended chat's words (its messages, its rating comment), as one document of the archive's index. */
  private void indexWords(Connection c, String chatId) throws SQLException {
    if (!sqlite) {
      try (PreparedStatement s = c.prepareStatement("UPDATE chats SET words = to_tsvector('simple',"
          + " COALESCE((SELECT string_agg(m.body, ' ' ORDER BY m.seq) FROM messages m WHERE m.chat_id = ?), '')"
          + " || ' ' || COALESCE(rating_comment, '')) WHERE id = ?")) {
        s.setString(1, chatId);
        s.setString(2, chatId);
        s.executeUpdate();
      }
      return;
    }
    // SQLite: one connection, so the next row number cannot race
    try (PreparedStatement s = c.prepareStatement("UPDATE chats SET words_row ="
        + " (SELECT COALESCE(MAX(words_row), 0) + 1 FROM chats) WHERE id = ? AND words_row IS NULL")) {
      s.setString(1, chatId);
      s.executeUpdate();
    }
    try (PreparedStatement s = c.prepareStatement("DELETE FROM chat_words WHERE rowid = (SELECT words_row FROM chats"
        + " WHERE id = ?)")) {
      s.setString(1, chatId);
      s.executeUpdate();
    }
    try (PreparedStatement s = c.prepareStatement("INSERT INTO chat_words(rowid, body) SELECT c.words_row,"
        + " COALESCE((SELECT group_concat(m.body, ' ') FROM messages m WHERE m.chat_id = c.id), '') || ' '"
        + " || COALESCE(c.rating_comment, '') FROM chats c WHERE c.id = ?")) {
      s.setString(1, chatId);
      s.executeUpdate();
    }
  }

  @Override
  public Future<Void> recordMessages(List<RecordedMessage> messages) {
    if (messages.isEmpty()) {
      return Future.succeededFuture();
    }
    return transaction(c -> {
      insertChunks(c, messages);
      return null;
    });
  }

  @Override
  public Future<Void> recordChunks(List<MessageChunk> chunks) {
    if (chunks.isEmpty()) {
      return Future.succeededFuture();
    }
    return transaction(c -> {
      insertChunkRows(c, chunks);
      return null;
    });
  }

  /**
   * Adds running chats' messages as one {@code message_chunks} row per chat (V6), which become rows
   * of messages when the chat ends ({@link #settleChunks}). A row per message cost the one-node
   * journal's drain three times as much, in bursts that held up the message path.
   */
  static void insertChunks(Connection c, List<RecordedMessage> messages) throws SQLException {
    insertChunkRows(c, MessageChunk.of(MessageFiles.encoded(messages)));
  }

  /** A chunk already recorded (same chat and seqs: a drain retried) is kept. */
  private static void insertChunkRows(Connection c, List<MessageChunk> chunks) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "INSERT INTO message_chunks (chat_id, first_seq, last_seq, lines) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (chat_id, first_seq, last_seq) DO NOTHING")) {
      for (MessageChunk chunk : chunks) {
        s.setString(1, chunk.chatId());
        s.setLong(2, chunk.firstSeq());
        s.setLong(3, chunk.lastSeq());
        s.setString(4, chunk.lines());
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  /** An ended chat's chunks become rows of messages, in the transaction that records its end. */
  private static void settleChunks(Connection c, String chatId) throws SQLException {
    List<RecordedMessage> chunked = chunkMessages(c, chatId);
    if (chunked.isEmpty()) {
      return;
    }
    insertMessages(c, chunked);
    try (PreparedStatement s = c.prepareStatement("DELETE FROM message_chunks WHERE chat_id = ?")) {
      s.setString(1, chatId);
      s.executeUpdate();
    }
  }

  private static List<RecordedMessage> chunkMessages(Connection c, String chatId) throws SQLException {
    List<RecordedMessage> messages = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(
        "SELECT lines FROM message_chunks WHERE chat_id = ? ORDER BY first_seq, last_seq")) {
      s.setString(1, chatId);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          messages.addAll(MessageFiles.fromChunkLines(chatId, r.getString(1)));
        }
      }
    }
    return messages;
  }

  /**
   * A chat's messages in seq order, from its rows and its chunks (a running chat's); a message in
   * both, or in two chunks (a drain retried after a failure), counts once.
   */
  private static List<RecordedMessage> allMessages(Connection c, String chatId)
      throws SQLException, JsonProcessingException {
    TreeMap<Long, RecordedMessage> bySeq = new TreeMap<>();
    for (RecordedMessage r : list(c, "SELECT seq, sender, name, body, at, client_id FROM messages WHERE chat_id = ?",
        s -> s.setString(1, chatId), r -> new RecordedMessage(chatId, message(r), r.getString(6)))) {
      bySeq.put(r.message().seq(), r);
    }
    for (RecordedMessage r : chunkMessages(c, chatId)) {
      bySeq.putIfAbsent(r.message().seq(), r);
    }
    return new ArrayList<>(bySeq.values());
  }

  /**
   * The seq up to which a chat's journaled messages are already in the database (a replay of the
   * one-node journal skips them, {@link MessageFiles#replay}): all of them when the chat has ended
   * (its end waited for the journal, and retention may have deleted its transcript since, which a
   * replay must not bring back), else up to the last one a drain put there (drains take the journal
   * in order, so a chat's drained lines are the first of its lines); 0 for none.
   */
  static long recordedUpTo(Connection c, String chatId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT (SELECT ended_at FROM chats WHERE id = ?),"
        + " (SELECT MAX(last_seq) FROM message_chunks WHERE chat_id = ?), (SELECT MAX(seq) FROM messages WHERE chat_id = ?)")) {
      s.setString(1, chatId);
      s.setString(2, chatId);
      s.setString(3, chatId);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getObject(1) != null ? Long.MAX_VALUE : Math.max(r.getLong(2), r.getLong(3)); // getLong: 0 for NULL
      }
    }
  }

  /** Adds messages in the connection's transaction; one already recorded (same chat and seq) is kept. */
  static void insertMessages(Connection c, List<RecordedMessage> messages) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "INSERT INTO messages (chat_id, seq, at, sender, name, body, client_id) VALUES (?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (chat_id, seq) DO NOTHING")) {
      for (RecordedMessage r : messages) {
        ChatMessage m = r.message();
        s.setString(1, r.chatId());
        s.setLong(2, m.seq());
        s.setLong(3, micros(m.at()));
        s.setString(4, m.from());
        s.setString(5, m.name());
        s.setString(6, m.text());
        s.setString(7, r.clientId());
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  @Override
  public Future<List<Chat>> chatsInFlight() {
    return call(c -> list(c, "SELECT doc FROM chats WHERE ended_at IS NULL ORDER BY created_at, id", s -> { },
        r -> read(r.getString(1), Chat.class)));
  }

  @Override
  public Future<List<RecordedMessage>> journal(String chatId) {
    return call(c -> allMessages(c, chatId));
  }

  @Override
  public Future<Chat> recordedChat(String chatId) {
    return call(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT doc FROM chats WHERE id = ?")) {
        s.setString(1, chatId);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? read(r.getString(1), Chat.class) : null;
        }
      }
    });
  }

  @Override
  public Future<List<ChatMessage>> transcript(String chatId) {
    return call(c -> {
      List<ChatMessage> messages = new ArrayList<>();
      for (RecordedMessage r : allMessages(c, chatId)) {
        messages.add(r.message());
      }
      return messages;
    });
  }

  @Override
  public Future<List<ChatEvent>> timeline(String chatId) {
    return call(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT doc FROM timelines WHERE chat_id = ?")) {
        s.setString(1, chatId);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? JSON.readValue(r.getString(1), EVENTS) : List.<ChatEvent>of();
        }
      }
    });
  }

  @Override
  public Future<List<Chat>> chatsCreatedBetween(Instant from, Instant to) {
    return call(c -> list(c, "SELECT doc FROM chats WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id",
        s -> {
          s.setLong(1, micros(from));
          s.setLong(2, micros(to));
        }, r -> read(r.getString(1), Chat.class)));
  }

  @Override
  public Future<List<ChatFigures>> chatFigures(Instant from, Instant to, String recordedQueue) {
    String sql = "SELECT " + FIGURES + " FROM chats c WHERE c.created_at >= ? AND c.created_at < ?"
        + (recordedQueue == null ? "" : " AND c.recorded_queue = ?") + " ORDER BY c.created_at, c.id";
    return call(c -> list(c, sql, s -> {
      s.setLong(1, micros(from));
      s.setLong(2, micros(to));
      if (recordedQueue != null) {
        s.setString(3, recordedQueue);
      }
    }, JdbcRecordStore::figures));
  }

  private static final String FIGURES = "c.id, c.created_at, c.accepted_at, c.ended_at, c.state, c.recorded_queue,"
      + " c.answered_queue, c.operator_id, c.channel, c.offered_queues, c.guest_name, c.rating, c.rating_comment,"
      + " c.resolution";

  /**
   * Ended chats matching every filter given, newest first. The words go through each database's
   * own index of each ended chat's words (see {@link #indexWords}): SQLite's FTS5 table,
   * PostgreSQL's {@code tsvector} column with a GIN index; each word must start a word of the chat.
   */
  @Override
  public Future<ArchivePage> searchArchive(ArchiveQuery q) {
    StringBuilder where = new StringBuilder(" FROM chats c WHERE c.ended_at IS NOT NULL AND c.created_at >= ?"
        + " AND c.created_at < ?");
    List<Object> args = new ArrayList<>(List.of(micros(q.from()), micros(q.to())));
    if (q.queue() != null) {
      where.append(" AND (c.recorded_queue = ? OR c.answered_queue = ?)");
      args.add(q.queue());
      args.add(q.queue());
    }
    if (q.operator() != null) {
      where.append(" AND c.operator_id = ?");
      args.add(q.operator());
    }
    if (q.rating() != null) {
      where.append(" AND c.rating = ?");
      args.add(q.rating());
    }
    if (q.resolution() != null) {
      where.append(" AND c.resolution = ?");
      args.add(q.resolution());
    }
    if (!q.words().isEmpty()) {
      if (sqlite) {
        where.append(" AND c.words_row IN (SELECT rowid FROM chat_words WHERE chat_words MATCH ?)");
        args.add(String.join(" ", q.words().stream().map(w -> "\"" + w.replace("\"", "\"\"") + "\"*").toList()));
      } else {
        where.append(" AND c.words @@ to_tsquery('simple', ?)");
        args.add(String.join(" & ", q.words().stream().map(w -> w.replace("'", "") + ":*").toList()));
      }
    }
    String page = "SELECT " + FIGURES + where + " ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?";
    // a person needs the exact count of a narrow search, not of a wide one: counting stops past the cap
    String count = "SELECT COUNT(*) FROM (SELECT 1" + where + " LIMIT " + (ArchivePage.COUNTED_UP_TO + 1) + ") x";
    return call(c -> {
      List<ChatFigures> chats = list(c, page, s -> {
        int i = bind(s, args);
        s.setInt(i++, q.limit());
        s.setInt(i, q.offset());
      }, JdbcRecordStore::figures);
      int total;
      try (PreparedStatement s = c.prepareStatement(count)) {
        bind(s, args);
        try (ResultSet r = s.executeQuery()) {
          r.next();
          total = r.getInt(1);
        }
      }
      return ArchivePage.of(chats, total);
    });
  }

  /** Binds the arguments from index 1; answers the next free index. */
  private static int bind(PreparedStatement s, List<Object> args) throws SQLException {
    int i = 1;
    for (Object arg : args) {
      if (arg instanceof Long l) {
        s.setLong(i++, l);
      } else if (arg instanceof Integer n) {
        s.setInt(i++, n);
      } else {
        s.setString(i++, (String) arg);
      }
    }
    return i;
  }

  /** The columns of {@link #FIGURES}, in order. */
  private static ChatFigures figures(ResultSet r) throws SQLException {
    String offered = r.getString(10);
    return new ChatFigures(r.getString(1), instant(r.getLong(2)), optionalInstant(r, 3), optionalInstant(r, 4),
        ChatState.valueOf(r.getString(5)), r.getString(6), r.getString(7), r.getString(8), r.getString(9),
        offered == null || offered.isEmpty() ? List.of() : List.of(offered.split(",")), r.getString(11),
        optionalInt(r, 12), r.getString(13), r.getString(14));
  }

  @Override
  public Future<Integer> forgetTranscriptsEndedBefore(Instant cutoff) {
    return transaction(c -> {
      int chats;
      try (PreparedStatement s = c.prepareStatement(
          "SELECT COUNT(DISTINCT m.chat_id) FROM messages m JOIN chats ch ON ch.id = m.chat_id"
              + " WHERE ch.ended_at IS NOT NULL AND ch.ended_at <= ?")) {
        s.setLong(1, micros(cutoff));
        try (ResultSet r = s.executeQuery()) {
          r.next();
          chats = r.getInt(1);
        }
      }
      try (PreparedStatement s = c.prepareStatement(
          "DELETE FROM messages WHERE chat_id IN (SELECT id FROM chats WHERE ended_at IS NOT NULL AND ended_at <= ?)")) {
        s.setLong(1, micros(cutoff));
        s.executeUpdate();
      }
      try (PreparedStatement s = c.prepareStatement( // none unless a chat's end was recorded without settling
          "DELETE FROM message_chunks WHERE chat_id IN (SELECT id FROM chats WHERE ended_at IS NOT NULL AND ended_at <= ?)")) {
        s.setLong(1, micros(cutoff));
        s.executeUpdate();
      }
      // and their words leave the archive's index with them
      try (PreparedStatement s = c.prepareStatement(sqlite
          ? "DELETE FROM chat_words WHERE rowid IN (SELECT words_row FROM chats WHERE ended_at IS NOT NULL"
              + " AND ended_at <= ? AND words_row IS NOT NULL)"
          : "UPDATE chats SET words = NULL WHERE ended_at IS NOT NULL AND ended_at <= ? AND words IS NOT NULL")) {
        s.setLong(1, micros(cutoff));
        s.executeUpdate();
      }
      return chats;
    });
  }

  // ---- audit ---------------------------------------------------------------------------------

  @Override
  public Future<Void> audit(AuditEntry entry) {
    return call(c -> {
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO audit (id, at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?, ?)")) {
        s.setString(1, Tokens.newId());
        s.setLong(2, micros(entry.at()));
        s.setString(3, entry.actor());
        s.setString(4, entry.action());
        s.setString(5, entry.subject());
        s.setString(6, entry.detail());
        s.executeUpdate();
        return null;
      }
    });
  }

  @Override
  public Future<List<AuditEntry>> auditLog(Instant from, Instant to) {
    return call(c -> list(c, "SELECT at, actor, action, subject, detail FROM audit WHERE at >= ? AND at < ? ORDER BY at, id",
        s -> {
          s.setLong(1, micros(from));
          s.setLong(2, micros(to));
        }, r -> new AuditEntry(instant(r.getLong(1)), r.getString(2), r.getString(3), r.getString(4), r.getString(5))));
  }

  // ---- helpers -------------------------------------------------------------------------------

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException, JsonProcessingException;
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement s) throws SQLException;
  }

  @FunctionalInterface
  private interface Row<T> {
    T read(ResultSet r) throws SQLException, JsonProcessingException;
  }

  /** Every row the query answers, read by {@code row}. */
  private static <T> List<T> list(Connection c, String sql, Binder binder, Row<T> row)
      throws SQLException, JsonProcessingException {
    List<T> all = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(sql)) {
      binder.bind(s);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          all.add(row.read(r));
        }
      }
    }
    return all;
  }

  /** seq, sender, name, body, at: a message's first five columns. */
  private static ChatMessage message(ResultSet r) throws SQLException {
    return new ChatMessage(r.getLong(1), r.getString(2), r.getString(3), r.getString(4), instant(r.getLong(5)));
  }

  /** One statement or a few reads, auto-committed, on a worker. */
  private <T> Future<T> call(Work<T> work) {
    return blocking(() -> {
      try (Connection c = pool.getConnection()) {
        return work.run(c);
      }
    });
  }

  /** Several writes that land together or not at all. */
  private <T> Future<T> transaction(Work<T> work) {
    return blocking(() -> {
      try (Connection c = pool.getConnection()) {
        c.setAutoCommit(false);
        try {
          T result = work.run(c);
          c.commit();
          return result;
        } catch (SQLException | JsonProcessingException | RuntimeException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
      }
    });
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return workers.executeBlocking(work, false);
  }

  /** Our own records always encode; a failure here is a bug, not a database problem. */
  private static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  private static <T> T read(String json, Class<T> type) throws JsonProcessingException {
    return JSON.readValue(json, type);
  }

  /** Epoch microseconds. */
  private static void setMicros(PreparedStatement s, int index, Instant t) throws SQLException {
    if (t == null) {
      s.setNull(index, java.sql.Types.BIGINT);
    } else {
      s.setLong(index, micros(t));
    }
  }

  private static Integer optionalInt(ResultSet r, int column) throws SQLException {
    int value = r.getInt(column);
    return r.wasNull() ? null : value;
  }

  private static Instant optionalInstant(ResultSet r, int column) throws SQLException {
    long value = r.getLong(column);
    return r.wasNull() ? null : instant(value);
  }

  static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000);
  }

  @Override
  public String toString() {
    return description;
  }
}
