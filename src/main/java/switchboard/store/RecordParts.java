package switchboard.store;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import switchboard.domain.CannedResponse;
import switchboard.domain.OfflineMessage;

/**
 * The part of the durable record a state store can keep itself, for set-ups that name no database
 * ({@code "record": {"url": "none"}}, see {@link switchboard.record.StateStoreRecord}): the
 * set-up, canned responses and offline questions. Chats and their transcripts it keeps anyway.
 * Apart from the hot state's interface so nothing else reaches the record through the state store.
 */
public interface RecordParts {

  /** The stored set-up, or null before anything seeded it. */
  Future<DirectoryDoc> directory();

  /**
   * Compare-and-set: writes {@code next} only if the stored version is {@code expectedVersion}
   * (0: only if nothing is stored yet). True when written.
   */
  Future<Boolean> replaceDirectory(long expectedVersion, DirectoryDoc next);

  /** Creates or replaces (same id) a canned response. */
  Future<Void> putCannedResponse(CannedResponse response);

  /** Deletes one; true when it existed. */
  Future<Boolean> deleteCannedResponse(String id);

  /** Every canned response, in no particular order (callers filter by owner and queue). */
  Future<List<CannedResponse>> cannedResponses();

  Future<Void> addOfflineMessage(OfflineMessage message);

  /** Every kept offline message, newest first. */
  Future<List<OfflineMessage>> offlineMessages();

  /** Marks a message done and returns it, or null when there is none with that id. */
  Future<OfflineMessage> markOfflineMessageDone(String id, String operatorId, Instant at);
}
