package switchboard.store;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;

/**
 * Everything nodes share. Each method that decides something several nodes could race on
 * is one atomic call: {@link #replaceChat} (accept, transfer, close, rollover steps, with
 * the capacity check), {@link #claimDueTimers}, {@link #appendMessage} (seq numbering).
 * Two implementations: {@link InMemoryStateStore} (one node) and a Redis one. The hot state only:
 * what of the durable record they can also keep (when no database is named) is
 * {@link RecordParts}.
 */
public interface StateStore {

  // ---- chats -------------------------------------------------------------------------

  /** Stores a new chat (version 1). Fails if the id exists. */
  Future<Void> createChat(Chat chat);

  /** The chat, or null when there is none. */
  Future<Chat> chat(String chatId);

  /**
   * Compare-and-set: writes {@code updated} only if the stored chat still has
   * {@code expected.version()}. When {@code updated} makes an operator hold the chat
   * (active with an operator who did not hold it in {@code expected}), the write also
   * requires that operator to hold fewer than {@code capacity} chats.
   * Keeps the held-chats and unanswered-by-queue indexes in step.
   */
  Future<ReplaceResult> replaceChat(Chat expected, Chat updated, int capacity);

  enum ReplaceResult { REPLACED, STALE, AT_CAPACITY }

  /** Chats still waiting or offered, oldest first. */
  Future<List<Chat>> unansweredChats();

  /** Ids of the chats an operator holds (active). */
  Future<Set<String>> heldChats(String operatorId);

  /** How many chats each operator holds; operators holding none may be absent. */
  Future<Map<String, Integer>> heldCounts();

  /** Chats created in [from, to), oldest first: what stats count. */
  Future<List<Chat>> chatsCreatedBetween(Instant from, Instant to);

  // ---- transcripts ---------------------------------------------------------------------

  /**
   * Appends a message with the next seq of the chat. A resend (same sender, same
   * {@code clientId} and same text as a message already stored on the chat) returns the
   * message stored then, with its original {@code at}, instead of storing it twice; the
   * same clientId with another text is a new message (a client that restarted its counter).
   */
  Future<ChatMessage> appendMessage(String chatId, String from, String name, String text, Instant at, String clientId);

  /**
   * A guest's ({@code from} = guest, {@code operatorId} null) or an operator's message appended
   * to an open chat in one step, under the name the chat gives the sender, with
   * {@link #appendMessage}'s seq and resend rules. Refused without appending when the chat does
   * not exist, has ended, or (from an operator) is not held by {@code operatorId}. One step, so
   * a close or a transfer cannot slip between the check and the append (and Redis needs a
   * single round trip per message).
   */
  Future<ChatAppend> appendToChat(String chatId, String from, String operatorId, String text, Instant at,
      String clientId);

  /** Forgets a chat's messages (retention); the chat record stays for stats. */
  Future<Void> deleteTranscript(String chatId);

  /**
   * Forgets a chat that ended, with its messages and timeline, once the record holds it: only if it
   * has ended and is still at {@code version} (what the record holds); true when it was forgotten.
   */
  Future<Boolean> forgetEndedChat(String chatId, long version);

  /** Messages with seq greater than {@code afterSeq}, in order. */
  Future<List<ChatMessage>> messagesAfter(String chatId, long afterSeq);

  // ---- timers ----------------------------------------------------------------------------

  /** Sets (or moves) the timer named {@code key} to fire at {@code due}. */
  Future<Void> scheduleTimer(String key, Instant due);

  /** Sets the timer only if none named {@code key} is set; true when this call set it. */
  Future<Boolean> scheduleTimerIfAbsent(String key, Instant due);

  /** Removes the timer, and its lease if it is being fired. */
  Future<Void> cancelTimer(String key);

  /**
   * Leases and returns the keys of timers due at {@code now}, each to one caller at a time. A
   * lease is a claim for {@link #TIMER_LEASE}: unless the caller {@link #completeTimer completes}
   * or {@link #releaseTimer releases} it first, the timer is due again when the lease runs out
   * (its caller died or lost the store mid-action), so timers fire at least once and every
   * timer action must be idempotent. A key scheduled again while leased is claimable at its new
   * due time as usual.
   */
  Future<List<String>> claimDueTimers(Instant now, int max);

  /** How long a claimed timer waits for its firing to complete before it is due again. */
  Duration TIMER_LEASE = Duration.ofSeconds(5);

  /** The claimed timer's action is done: its lease ends (a new schedule of the key stays). */
  Future<Void> completeTimer(String key);

  /** The claimed timer's action failed: due again at {@code due} (unless it was scheduled again meanwhile). */
  Future<Void> releaseTimer(String key, Instant due);

  // ---- presence --------------------------------------------------------------------------

  /** The queues an operator has set available (kept while they are connected). */
  Future<Void> setChosenQueues(String operatorId, Set<String> queues);

  /** Records that {@code nodeId} holds at least one console socket of the operator, or no longer does. */
  Future<Void> setConnected(String operatorId, String nodeId, boolean connected);

  /** Connected operators and the queues each has set available. */
  Future<Map<String, Set<String>>> connectedOperators();

  // ---- guest presence (which nodes hold a chat's guest sockets) --------------------------------

  /**
   * Records that {@code nodeId} holds at least one socket of the chat's guest, or no longer does.
   * A node's entries count only while the node is alive (see {@link #nodeAlive}).
   */
  Future<Void> setGuestConnected(String chatId, String nodeId, boolean connected);

  /**
   * Makes the chats {@code nodeId} is counted for exactly {@code chatIds} (after the store was away,
   * when detaches may have been lost or the node's entries forgotten); returns the chats it is no
   * longer counted for.
   */
  Future<List<String>> replaceGuestChats(String nodeId, Set<String> chatIds);

  /** True while a live node holds a socket of the chat's guest: no node acts on its own count alone. */
  Future<Boolean> guestConnected(String chatId);

  /** The node's heartbeat: it counts as alive for the presence expiry from now. */
  Future<Void> nodeAlive(String nodeId);

  /**
   * Forgets the guest entries of nodes that stopped beating and returns the chats whose guest no
   * live node holds any more (their sockets died with the node). Each such chat is returned once.
   */
  Future<List<String>> guestsLeftOnDeadNodes();

  // ---- timelines ---------------------------------------------------------------------------

  /** Adds a step to a chat's rollover timeline. */
  Future<Void> appendChatEvent(String chatId, ChatEvent event);

  /** The chat's timeline, oldest first. */
  Future<List<ChatEvent>> chatEvents(String chatId);

  // ---- sessions --------------------------------------------------------------------------

  Future<Void> putSession(String tokenHash, String operatorId, Instant expiresAt);

  /** The operator id of a live session, or null. */
  Future<String> sessionOperator(String tokenHash, Instant now);

  Future<Void> deleteSession(String tokenHash);

  // ---- small shared values (idempotency keys, lookups) ---------------------------------------

  /** Sets {@code key} unless it is set; true when this call set it. The value expires after {@code ttl}. */
  Future<Boolean> putIfAbsent(String key, String value, Duration ttl);

  /** Sets {@code key} (replacing any value), expiring after {@code ttl}. */
  Future<Void> putValue(String key, String value, Duration ttl);

  /** The value of {@code key}, or null. */
  Future<String> value(String key);

  /** Answers when the store works; for /health/ready. */
  Future<Void> ping();

  // ---- sign-in attempts (the login throttle, shared by every node) ----------------------------

  /**
   * Counts one sign-in attempt for {@code username}, atomically, and returns the count: 1 for
   * the first attempt, which starts a {@code window} after which the count is forgotten; the
   * attempt that brings the count to {@code lockAt} starts the window again, so a lock lasts a
   * whole window. Attempts counted past {@code lockAt} do not extend it.
   */
  Future<Long> countLoginAttempt(String username, int lockAt, Duration window);

  /** Forgets the attempts counted for {@code username} (after a successful sign-in). */
  Future<Void> clearLoginAttempts(String username);

  // ---- per-client limits (chat starts, offline messages, transcript mails; shared by every node) ------

  /**
   * Counts one event under {@code key}, atomically, and returns the count: 1 for the first, which
   * starts a {@code window} after which the count is forgotten (fixed windows).
   */
  Future<Long> countInWindow(String key, Duration window);

  /** Takes one counted event back (it did not happen after all); nothing when the count is gone. */
  Future<Void> uncount(String key);
}
