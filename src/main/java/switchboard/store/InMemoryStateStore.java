package switchboard.store;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import switchboard.domain.CannedResponse;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.domain.ChatState;
import switchboard.domain.OfflineMessage;

/**
 * State of a single node, in this JVM. Methods are synchronized so verticles on
 * different event loops see one consistent store; none of them blocks on I/O.
 */
public final class InMemoryStateStore implements StateStore, RecordParts {
  private final Map<String, Chat> chats = new HashMap<>();
  private final Map<String, Set<String>> held = new HashMap<>();
  private final Map<String, List<ChatMessage>> transcripts = new HashMap<>();
  private final Map<String, Map<String, ChatMessage>> byClientId = new HashMap<>();
  private final Map<String, Instant> timers = new HashMap<>();
  private final TreeMap<Instant, Set<String>> timersByDue = new TreeMap<>();
  /** Claimed timers whose firing is not completed → when they are due again (see {@link #claimDueTimers}). */
  private final Map<String, Instant> leases = new HashMap<>();
  private final Map<String, Set<String>> chosen = new HashMap<>();
  private final Map<String, Set<String>> connectedNodes = new HashMap<>();
  private final Map<String, Set<String>> guestNodes = new HashMap<>();
  private final Map<String, Session> sessions = new HashMap<>();
  private final Map<String, OfflineMessage> offline = new HashMap<>();
  private DirectoryDoc directory;
  private final Map<String, Value> values = new HashMap<>();
  private final Map<String, List<ChatEvent>> timelines = new HashMap<>();
  private final Map<String, CannedResponse> canned = new LinkedHashMap<>();

  private record Session(String operatorId, Instant expiresAt) {}

  @Override
  public synchronized Future<Void> createChat(Chat chat) {
    if (chats.putIfAbsent(chat.id(), chat) != null) {
      return Future.failedFuture("chat " + chat.id() + " exists");
    }
    if (chat.state() == ChatState.active) { // put back from the record after a restart
      held.computeIfAbsent(chat.operatorId(), k -> new HashSet<>()).add(chat.id());
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Chat> chat(String chatId) {
    return Future.succeededFuture(chats.get(chatId));
  }

  @Override
  public synchronized Future<ReplaceResult> replaceChat(Chat expected, Chat updated, int capacity) {
    Chat current = chats.get(expected.id());
    if (current == null || current.version() != expected.version()) {
      return Future.succeededFuture(ReplaceResult.STALE);
    }
    String oldHolder = holder(current);
    String newHolder = holder(updated);
    boolean takesNew = newHolder != null && !newHolder.equals(oldHolder);
    if (takesNew && held.getOrDefault(newHolder, Set.of()).size() >= capacity) {
      return Future.succeededFuture(ReplaceResult.AT_CAPACITY);
    }
    if (oldHolder != null && !oldHolder.equals(newHolder)) {
      held.getOrDefault(oldHolder, new HashSet<>()).remove(current.id());
    }
    if (takesNew) {
      held.computeIfAbsent(newHolder, k -> new HashSet<>()).add(updated.id());
    }
    chats.put(updated.id(), updated);
    return Future.succeededFuture(ReplaceResult.REPLACED);
  }

  private static String holder(Chat chat) {
    return chat.state() == ChatState.active ? chat.operatorId() : null;
  }

  @Override
  public synchronized Future<List<Chat>> unansweredChats() {
    List<Chat> list = new ArrayList<>();
    for (Chat c : chats.values()) {
      if (c.state().isUnanswered()) {
        list.add(c);
      }
    }
    list.sort(Comparator.comparing(Chat::waitingSince).thenComparing(Chat::id));
    return Future.succeededFuture(list);
  }

  @Override
  public synchronized Future<Set<String>> heldChats(String operatorId) {
    return Future.succeededFuture(Set.copyOf(held.getOrDefault(operatorId, Set.of())));
  }

  @Override
  public synchronized Future<Map<String, Integer>> heldCounts() {
    Map<String, Integer> counts = new HashMap<>();
    held.forEach((op, set) -> counts.put(op, set.size()));
    return Future.succeededFuture(counts);
  }

  @Override
  public synchronized Future<ChatMessage> appendMessage(String chatId, String from, String name, String text,
      Instant at, String clientId) {
    Map<String, ChatMessage> seen = byClientId.computeIfAbsent(chatId, k -> new HashMap<>());
    String dedupKey = clientId == null ? null : from + ":" + clientId;
    ChatMessage earlier = dedupKey == null ? null : seen.get(dedupKey);
    if (earlier != null && earlier.text().equals(text)) {
      return Future.succeededFuture(earlier);
    }
    List<ChatMessage> transcript = transcripts.computeIfAbsent(chatId, k -> new ArrayList<>());
    ChatMessage message = new ChatMessage(transcript.size() + 1, from, name, text, at);
    transcript.add(message);
    if (dedupKey != null) {
      seen.put(dedupKey, message);
    }
    return Future.succeededFuture(message);
  }

  @Override
  public synchronized Future<ChatAppend> appendToChat(String chatId, String from, String operatorId, String text,
      Instant at, String clientId) {
    Chat chat = chats.get(chatId);
    if (chat == null) {
      return Future.succeededFuture(ChatAppend.refused(ChatAppend.Outcome.NO_CHAT, null));
    }
    if (chat.state().isEnded()) {
      return Future.succeededFuture(ChatAppend.refused(ChatAppend.Outcome.ENDED, chat.state()));
    }
    boolean fromOperator = ChatMessage.FROM_OPERATOR.equals(from);
    if (fromOperator && (chat.state() != ChatState.active || !Objects.equals(operatorId, chat.operatorId()))) {
      return Future.succeededFuture(ChatAppend.refused(ChatAppend.Outcome.NOT_HELD, chat.state()));
    }
    String name = fromOperator ? chat.operatorName() : chat.guest() == null ? null : chat.guest().name();
    return appendMessage(chatId, from, name, text, at, clientId).map(m -> new ChatAppend(ChatAppend.Outcome.APPENDED,
        chat.state(), chat.operatorId(), chat.guest() != null && chat.guest().bySms(), m));
  }

  @Override
  public synchronized Future<List<ChatMessage>> messagesAfter(String chatId, long afterSeq) {
    List<ChatMessage> transcript = transcripts.getOrDefault(chatId, List.of());
    int from = (int) Math.max(0, Math.min(afterSeq, transcript.size()));
    return Future.succeededFuture(List.copyOf(transcript.subList(from, transcript.size())));
  }

  @Override
  public synchronized Future<Boolean> scheduleTimerIfAbsent(String key, Instant due) {
    if (timers.containsKey(key)) {
      return Future.succeededFuture(false);
    }
    return scheduleTimer(key, due).map(true);
  }

  @Override
  public synchronized Future<Void> scheduleTimer(String key, Instant due) {
    removeTimer(key);
    timers.put(key, due);
    timersByDue.computeIfAbsent(due, k -> new HashSet<>()).add(key);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> cancelTimer(String key) {
    removeTimer(key);
    leases.remove(key);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> completeTimer(String key) {
    leases.remove(key);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> releaseTimer(String key, Instant due) {
    if (!timers.containsKey(key)) {
      scheduleTimer(key, due);
    }
    leases.remove(key);
    return Future.succeededFuture();
  }

  private void removeTimer(String key) {
    Instant due = timers.remove(key);
    if (due != null) {
      Set<String> keys = timersByDue.get(due);
      keys.remove(key);
      if (keys.isEmpty()) {
        timersByDue.remove(due);
      }
    }
  }

  @Override
  public synchronized Future<List<String>> claimDueTimers(Instant now, int max) {
    List<String> due = new ArrayList<>();
    for (Set<String> keys : timersByDue.headMap(now, true).values()) {
      for (String key : keys) {
        if (due.size() < max) {
          due.add(key);
        }
      }
    }
    leases.entrySet().stream().filter(e -> !e.getValue().isAfter(now)).map(Map.Entry::getKey)
        .filter(key -> !due.contains(key)).sorted().limit(Math.max(0, max - due.size())).forEach(due::add);
    Instant leaseUntil = now.plus(TIMER_LEASE);
    for (String key : due) {
      removeTimer(key);
      leases.put(key, leaseUntil);
    }
    return Future.succeededFuture(due);
  }

  @Override
  public synchronized Future<Void> setChosenQueues(String operatorId, Set<String> queues) {
    chosen.put(operatorId, Set.copyOf(queues));
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> setConnected(String operatorId, String nodeId, boolean connected) {
    Set<String> nodes = connectedNodes.computeIfAbsent(operatorId, k -> new HashSet<>());
    if (connected) {
      nodes.add(nodeId);
    } else {
      nodes.remove(nodeId);
    }
    return Future.succeededFuture();
  }

  /** One node: its entries are always alive, and no node dies leaving guests behind. */
  @Override
  public synchronized Future<Void> setGuestConnected(String chatId, String nodeId, boolean connected) {
    if (connected) {
      guestNodes.computeIfAbsent(chatId, k -> new HashSet<>()).add(nodeId);
    } else {
      Set<String> nodes = guestNodes.get(chatId);
      if (nodes != null && nodes.remove(nodeId) && nodes.isEmpty()) {
        guestNodes.remove(chatId);
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<String>> replaceGuestChats(String nodeId, Set<String> chatIds) {
    List<String> removed = new ArrayList<>();
    for (Map.Entry<String, Set<String>> e : List.copyOf(guestNodes.entrySet())) {
      if (e.getValue().contains(nodeId) && !chatIds.contains(e.getKey())) {
        removed.add(e.getKey());
        setGuestConnected(e.getKey(), nodeId, false);
      }
    }
    chatIds.forEach(chatId -> setGuestConnected(chatId, nodeId, true));
    return Future.succeededFuture(removed);
  }

  @Override
  public synchronized Future<Boolean> guestConnected(String chatId) {
    return Future.succeededFuture(guestNodes.containsKey(chatId));
  }

  @Override
  public Future<Void> nodeAlive(String nodeId) {
    return Future.succeededFuture();
  }

  @Override
  public Future<List<String>> guestsLeftOnDeadNodes() {
    return Future.succeededFuture(List.of());
  }

  @Override
  public synchronized Future<Map<String, Set<String>>> connectedOperators() {
    Map<String, Set<String>> result = new LinkedHashMap<>();
    connectedNodes.forEach((op, nodes) -> {
      if (!nodes.isEmpty()) {
        result.put(op, chosen.getOrDefault(op, Set.of()));
      }
    });
    return Future.succeededFuture(result);
  }

  @Override
  public synchronized Future<List<Chat>> chatsCreatedBetween(Instant from, Instant to) {
    List<Chat> list = new ArrayList<>();
    for (Chat c : chats.values()) {
      if (!c.createdAt().isBefore(from) && c.createdAt().isBefore(to)) {
        list.add(c);
      }
    }
    list.sort(Comparator.comparing(Chat::createdAt).thenComparing(Chat::id));
    return Future.succeededFuture(list);
  }

  @Override
  public synchronized Future<Void> deleteTranscript(String chatId) {
    transcripts.remove(chatId);
    byClientId.remove(chatId);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Boolean> forgetEndedChat(String chatId, long version) {
    Chat chat = chats.get(chatId);
    if (chat == null || chat.version() != version || !chat.state().isEnded()) {
      return Future.succeededFuture(false);
    }
    chats.remove(chatId);
    transcripts.remove(chatId);
    byClientId.remove(chatId);
    timelines.remove(chatId);
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<DirectoryDoc> directory() {
    return Future.succeededFuture(directory);
  }

  @Override
  public synchronized Future<Boolean> replaceDirectory(long expectedVersion, DirectoryDoc next) {
    long current = directory == null ? 0 : directory.version();
    if (current != expectedVersion) {
      return Future.succeededFuture(false);
    }
    directory = next;
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Void> appendChatEvent(String chatId, ChatEvent event) {
    timelines.computeIfAbsent(chatId, k -> new ArrayList<>()).add(event);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<ChatEvent>> chatEvents(String chatId) {
    return Future.succeededFuture(List.copyOf(timelines.getOrDefault(chatId, List.of())));
  }

  @Override
  public synchronized Future<Void> putCannedResponse(CannedResponse response) {
    canned.put(response.id(), response);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Boolean> deleteCannedResponse(String id) {
    return Future.succeededFuture(canned.remove(id) != null);
  }

  @Override
  public synchronized Future<List<CannedResponse>> cannedResponses() {
    return Future.succeededFuture(List.copyOf(canned.values()));
  }

  @Override
  public synchronized Future<Void> addOfflineMessage(OfflineMessage message) {
    offline.put(message.id(), message);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<OfflineMessage>> offlineMessages() {
    List<OfflineMessage> list = new ArrayList<>(offline.values());
    list.sort(Comparator.comparing(OfflineMessage::createdAt).reversed());
    return Future.succeededFuture(list);
  }

  @Override
  public synchronized Future<OfflineMessage> markOfflineMessageDone(String id, String operatorId, Instant at) {
    OfflineMessage message = offline.get(id);
    if (message == null) {
      return Future.succeededFuture(null);
    }
    OfflineMessage done = message.done() ? message : message.markDone(operatorId, at);
    offline.put(id, done);
    return Future.succeededFuture(done);
  }

  @Override
  public synchronized Future<Void> putSession(String tokenHash, String operatorId, Instant expiresAt) {
    sessions.put(tokenHash, new Session(operatorId, expiresAt));
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<String> sessionOperator(String tokenHash, Instant now) {
    Session s = sessions.get(tokenHash);
    if (s == null || !s.expiresAt().isAfter(now)) {
      sessions.remove(tokenHash);
      return Future.succeededFuture(null);
    }
    return Future.succeededFuture(s.operatorId());
  }

  @Override
  public synchronized Future<Void> deleteSession(String tokenHash) {
    sessions.remove(tokenHash);
    return Future.succeededFuture();
  }

  private record Value(String value, Instant expires) {}

  @Override
  public synchronized Future<Boolean> putIfAbsent(String key, String value, Duration ttl) {
    Instant now = Instant.now();
    Value current = values.get(key);
    if (current != null && current.expires().isAfter(now)) {
      return Future.succeededFuture(false);
    }
    values.put(key, new Value(value, now.plus(ttl)));
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Void> putValue(String key, String value, Duration ttl) {
    values.put(key, new Value(value, Instant.now().plus(ttl)));
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<String> value(String key) {
    Value current = values.get(key);
    if (current == null || !current.expires().isAfter(Instant.now())) {
      values.remove(key);
      return Future.succeededFuture(null);
    }
    return Future.succeededFuture(current.value());
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  // ---- sign-in attempts ----------------------------------------------------------------------

  private record Attempts(long count, Instant expires) {}

  private final Map<String, Attempts> loginAttempts = new HashMap<>();

  @Override
  public synchronized Future<Long> countLoginAttempt(String username, int lockAt, Duration window) {
    Instant now = Instant.now();
    if (loginAttempts.size() >= 10_000) {
      // guesses at many usernames: drop the forgotten counts so the map stays small
      loginAttempts.values().removeIf(a -> !a.expires().isAfter(now));
    }
    Attempts current = loginAttempts.get(username);
    long count = current == null || !current.expires().isAfter(now) ? 1 : current.count() + 1;
    Instant expires = count == 1 || count == lockAt ? now.plus(window) : current.expires();
    loginAttempts.put(username, new Attempts(count, expires));
    return Future.succeededFuture(count);
  }

  @Override
  public synchronized Future<Void> clearLoginAttempts(String username) {
    loginAttempts.remove(username);
    return Future.succeededFuture();
  }

  private final Map<String, Attempts> windowCounts = new HashMap<>();

  @Override
  public synchronized Future<Long> countInWindow(String key, Duration window) {
    Instant now = Instant.now();
    if (windowCounts.size() >= 10_000) {
      windowCounts.values().removeIf(a -> !a.expires().isAfter(now));
    }
    Attempts current = windowCounts.get(key);
    Attempts next = current == null || !current.expires().isAfter(now) ? new Attempts(1, now.plus(window))
        : new Attempts(current.count() + 1, current.expires());
    windowCounts.put(key, next);
    return Future.succeededFuture(next.count());
  }

  @Override
  public synchronized Future<Void> uncount(String key) {
    windowCounts.computeIfPresent(key, (k, a) -> a.count() <= 0 || !a.expires().isAfter(Instant.now()) ? null
        : new Attempts(a.count() - 1, a.expires()));
    return Future.succeededFuture();
  }
}
