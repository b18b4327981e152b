package switchboard.record;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import switchboard.domain.CannedResponse;
import switchboard.domain.Chat;
import switchboard.stats.ChatFigures;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.domain.OfflineMessage;
import switchboard.store.DirectoryDoc;
import switchboard.store.RecordParts;
import switchboard.store.StateStore;

/**
 * The record kept in the state store itself ({@code "record": {"url": "none"}}), as before there
 * was a database: in memory it is lost at a restart, in Redis it lives in Redis' memory. Chats and
 * their transcripts are already there, so recording one changes nothing; retention is the state
 * store's own sweep (looking back 40 days past the cutoff). The audit is kept in this node's memory only (the last {@value #AUDIT_KEPT}).
 */
public final class StateStoreRecord implements RecordStore {
  private static final int AUDIT_KEPT = 10_000;
  /** How far back a retention sweep looks past its cutoff. */
  static final Duration LOOK_BACK = Duration.ofDays(40);

  private final StateStore store;
  private final RecordParts parts;
  private final String description;
  private final Deque<AuditEntry> audit = new ArrayDeque<>();

  /** {@code store}: a state store that also keeps {@link RecordParts} (both implementations do). */
  public <S extends StateStore & RecordParts> StateStoreRecord(S store, String description) {
    this.store = store;
    this.parts = store;
    this.description = description;
  }

  @Override
  public Future<DirectoryDoc> directory() {
    return parts.directory();
  }

  @Override
  public Future<Boolean> replaceDirectory(long expectedVersion, DirectoryDoc next) {
    return parts.replaceDirectory(expectedVersion, next);
  }

  @Override
  public Future<Void> putCannedResponse(CannedResponse response) {
    return parts.putCannedResponse(response);
  }

  @Override
  public Future<Boolean> deleteCannedResponse(String id) {
    return parts.deleteCannedResponse(id);
  }

  @Override
  public Future<List<CannedResponse>> cannedResponses() {
    return parts.cannedResponses();
  }

  @Override
  public Future<Void> addOfflineMessage(OfflineMessage message) {
    return parts.addOfflineMessage(message);
  }

  @Override
  public Future<List<OfflineMessage>> offlineMessages() {
    return parts.offlineMessages().map(all -> all.stream()
        .sorted(Comparator.comparing(OfflineMessage::createdAt).thenComparing(OfflineMessage::id)).toList());
  }

  @Override
  public Future<OfflineMessage> markOfflineMessageDone(String id, String operatorId, Instant at) {
    return parts.markOfflineMessageDone(id, operatorId, at);
  }

  /** The state store holds the chat, its messages and its timeline already. */
  @Override
  public Future<Void> recordChat(Chat chat, List<ChatMessage> messages, List<ChatEvent> timeline) {
    return Future.succeededFuture();
  }

  /** The state store holds them already. */
  @Override
  public Future<Void> recordMessages(List<RecordedMessage> messages) {
    return Future.succeededFuture();
  }

  /** Nothing to put back: the state store is the record (and a restarted memory store holds nothing). */
  @Override
  public Future<List<Chat>> chatsInFlight() {
    return Future.succeededFuture(List.of());
  }

  @Override
  public Future<List<RecordedMessage>> journal(String chatId) {
    return store.messagesAfter(chatId, 0)
        .map(all -> all.stream().map(m -> new RecordedMessage(chatId, m, null)).toList());
  }

  @Override
  public Future<Chat> recordedChat(String chatId) {
    return store.chat(chatId);
  }

  @Override
  public Future<List<ChatMessage>> transcript(String chatId) {
    return store.messagesAfter(chatId, 0);
  }

  @Override
  public Future<List<ChatEvent>> timeline(String chatId) {
    return store.chatEvents(chatId);
  }

  @Override
  public Future<List<Chat>> chatsCreatedBetween(Instant from, Instant to) {
    return store.chatsCreatedBetween(from, to);
  }

  /** Read through in Java: a record kept in the state store is a small one. */
  @Override
  public Future<ArchivePage> searchArchive(ArchiveQuery q) {
    return store.chatsCreatedBetween(q.from(), q.to()).compose(chats -> {
      List<Chat> candidates = chats.stream()
          .filter(c -> c.state().isEnded())
          .filter(c -> q.queue() == null || q.queue().equals(c.recordedQueue()) || q.queue().equals(c.answeredQueue()))
          .filter(c -> q.operator() == null || q.operator().equals(c.operatorId()))
          .filter(c -> q.rating() == null || q.rating().equals(c.outcome().rating()))
          .filter(c -> q.resolution() == null || q.resolution().equals(c.outcome().resolution()))
          .toList();
      List<Future<Boolean>> matches = candidates.stream().map(c -> q.words().isEmpty() ? Future.succeededFuture(true)
          : store.messagesAfter(c.id(), 0).map(messages -> {
            List<String> said = messages.stream().flatMap(m -> ArchiveQuery.wordsOf(m.text()).stream()).toList();
            return q.words().stream().allMatch(w -> said.stream().anyMatch(s -> s.startsWith(w)));
          })).toList();
      return Future.all(matches).map(all -> {
        List<ChatFigures> found = new ArrayList<>();
        for (int i = candidates.size() - 1; i >= 0; i--) {
          if (Boolean.TRUE.equals(all.resultAt(i))) {
            found.add(ChatFigures.of(candidates.get(i)));
          }
        }
        int end = Math.min(found.size(), q.offset() + q.limit());
        return ArchivePage.of(q.offset() >= found.size() ? List.of() : found.subList(q.offset(), end), found.size());
      });
    });
  }

  @Override
  public Future<List<ChatFigures>> chatFigures(Instant from, Instant to, String recordedQueue) {
    return store.chatsCreatedBetween(from, to).map(chats -> chats.stream()
        .filter(c -> recordedQueue == null || recordedQueue.equals(c.recordedQueue())).map(ChatFigures::of).toList());
  }

  @Override
  public Future<Integer> forgetTranscriptsEndedBefore(Instant cutoff) {
    return forgetTranscripts(store, cutoff);
  }

  /**
   * The messages of chats in the state store that ended at or before {@code cutoff}, looking back
   * {@link #LOOK_BACK} (older chats were swept before); answers how many chats had them forgotten.
   */
  public static Future<Integer> forgetTranscripts(StateStore store, Instant cutoff) {
    return store.chatsCreatedBetween(cutoff.minus(LOOK_BACK), cutoff.plusMillis(1)).compose(chats -> {
      List<Future<Void>> deletions = new ArrayList<>();
      for (Chat chat : chats) {
        if (chat.state().isEnded() && chat.endedAt() != null && !chat.endedAt().isAfter(cutoff)) {
          deletions.add(store.deleteTranscript(chat.id()));
        }
      }
      return Future.all(deletions).map(all -> deletions.size());
    });
  }

  @Override
  public boolean inStateStore() {
    return true;
  }

  @Override
  public synchronized Future<Void> audit(AuditEntry entry) {
    audit.addLast(entry);
    while (audit.size() > AUDIT_KEPT) {
      audit.removeFirst();
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<AuditEntry>> auditLog(Instant from, Instant to) {
    return Future.succeededFuture(audit.stream()
        .filter(e -> !e.at().isBefore(from) && e.at().isBefore(to))
        .toList());
  }

  @Override
  public Future<Void> ping() {
    return store.ping();
  }

  @Override
  public String describe() {
    return description;
  }

  /** The state store is closed by its owner. */
  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
