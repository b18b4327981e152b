package switchboard.record;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import switchboard.domain.CannedResponse;
import switchboard.domain.Chat;
import switchboard.stats.ChatFigures;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.domain.OfflineMessage;
import switchboard.store.DirectoryDoc;

/**
 * The durable record (issue 15): what a library keeps for years and what must survive any restart.
 * The set-up (queues, operators with their password hashes, texting numbers), canned responses,
 * offline questions, the audit of admin changes, and every chat that ended with its transcript and
 * timeline; stats are read from it. The hot state (chats in flight, offers, presence, timers,
 * sessions, limits) is the {@link switchboard.store.StateStore}'s.
 *
 * <p>Implementations: {@link JdbcRecordStore} (SQLite, the embedded default; PostgreSQL for
 * production and several nodes) and {@link StateStoreRecord} (the record kept in the state store
 * itself, memory or Redis, as before there was a database). Each passes {@code RecordStoreContract}.
 * Every method answers on the caller's context and never blocks it; a failure is a failed future.
 */
public interface RecordStore {

  // ---- the set-up ----------------------------------------------------------------------------

  /** The stored set-up, or null when none was stored yet. */
  Future<DirectoryDoc> directory();

  /**
   * Writes {@code next} if the stored version is still {@code expectedVersion} (0: none stored yet);
   * false when another writer came first. {@code next.version()} is the version it gets.
   */
  Future<Boolean> replaceDirectory(long expectedVersion, DirectoryDoc next);

  // ---- canned responses ----------------------------------------------------------------------

  Future<Void> putCannedResponse(CannedResponse response);

  /** False when there was none with that id. */
  Future<Boolean> deleteCannedResponse(String id);

  Future<List<CannedResponse>> cannedResponses();

  // ---- offline questions ---------------------------------------------------------------------

  Future<Void> addOfflineMessage(OfflineMessage message);

  /** Oldest first. */
  Future<List<OfflineMessage>> offlineMessages();

  /** Marks it done once (a second call returns it unchanged); null when there is none with that id. */
  Future<OfflineMessage> markOfflineMessageDone(String id, String operatorId, Instant at);

  // ---- chats ---------------------------------------------------------------------------------

  /**
   * Records a chat as it stands, with its messages and timeline so far: the chat replaces the one
   * recorded, messages are added by sequence number (one already recorded is kept), and the
   * timeline replaces the one recorded. Written once a chat ends, and in batches while it runs.
   */
  Future<Void> recordChat(Chat chat, List<ChatMessage> messages, List<ChatEvent> timeline);

  /**
   * Adds messages as they are acknowledged (the journal of a node whose state store is its memory),
   * before their chat is recorded; one already recorded (same chat and seq) is kept.
   */
  Future<Void> recordMessages(List<RecordedMessage> messages);

  /**
   * Running chats' messages as the one-node journal wrote them, a chunk of lines per chat
   * ({@link FileJournaledRecord}): the same as {@link #recordMessages} of the messages they hold,
   * which is what a store that keeps messages otherwise does with them.
   */
  default Future<Void> recordChunks(List<MessageChunk> chunks) {
    List<RecordedMessage> messages = new java.util.ArrayList<>();
    for (MessageChunk chunk : chunks) {
      messages.addAll(MessageFiles.fromChunkLines(chunk.chatId(), chunk.lines()));
    }
    return recordMessages(messages);
  }

  /** Chats recorded as not ended, oldest first: what a one-node restart puts back. */
  Future<List<Chat>> chatsInFlight();

  /** A chat's messages with the client ids they were sent with (null where unknown), in order. */
  Future<List<RecordedMessage>> journal(String chatId);

  /** The chat as last recorded, or null. */
  Future<Chat> recordedChat(String chatId);

  /** Its messages in order (empty when unknown or forgotten by retention). */
  Future<List<ChatMessage>> transcript(String chatId);

  Future<List<ChatEvent>> timeline(String chatId);

  /** Chats created in [from, to), oldest first: what stats count. */
  Future<List<Chat>> chatsCreatedBetween(Instant from, Instant to);

  /**
   * What stats need of the chats created in [from, to), oldest first, only those asked on
   * {@code recordedQueue} unless it is null: columns, not documents, so a year reads fast.
   */
  Future<List<ChatFigures>> chatFigures(Instant from, Instant to, String recordedQueue);

  /** Ended chats matching the query, newest first, and how many match in all (the archive, issue 16). */
  Future<ArchivePage> searchArchive(ArchiveQuery query);

  /** Retention: forgets the messages of chats that ended at or before {@code cutoff}; how many chats had some. */
  Future<Integer> forgetTranscriptsEndedBefore(Instant cutoff);

  // ---- audit ---------------------------------------------------------------------------------

  /** Records an admin change (who, what, about which item). */
  Future<Void> audit(AuditEntry entry);

  /** Admin changes in [from, to), oldest first. */
  Future<List<AuditEntry>> auditLog(Instant from, Instant to);

  /**
   * True when the record is the state store itself ({@code "record": {"url": "none"}}): there is
   * nothing to write or read apart from it.
   */
  default boolean inStateStore() {
    return false;
  }

  /** Succeeds when the record answers (readiness). */
  Future<Void> ping();

  /** What it is, for the start-up log (no password). */
  String describe();

  Future<Void> close();
}
