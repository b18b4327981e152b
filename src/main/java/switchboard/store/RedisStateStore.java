package switchboard.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
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
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.config.RedisTarget;
import switchboard.domain.CannedResponse;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.domain.ChatState;
import switchboard.domain.Guest;
import switchboard.domain.OfflineMessage;

/**
 * {@link StateStore} shared by several nodes through one Redis (standalone, not cluster: the
 * scripts derive some key names from stored data). Each decision nodes could race on is one
 * Lua script ({@code src/main/resources/redis/*.lua}), so Redis runs it atomically.
 *
 * <p>Keys, all under the prefix (default {@code switchboard:}):
 * <ul>
 *   <li>{@code chat:{id}} hash: {@code version}, {@code json} (the whole chat), {@code holder}
 *       (the operator id while active, else empty)</li>
 *   <li>{@code held:{operatorId}} set of chat ids held; {@code holders} set of operators with a
 *       non-empty held set (to enumerate counts without SCAN)</li>
 *   <li>{@code unanswered} sorted set of waiting/offered chat ids, score = waitingSince in epoch µs</li>
 *   <li>{@code transcript:{chatId}} list of message JSON (index = seq - 1);
 *       {@code dedup:{chatId}} hash {@code from:clientId} → JSON of the last message with that
 *       clientId (a resend with the same text gets it back)</li>
 *   <li>{@code timers} sorted set of timer keys, score = due time in epoch µs; {@code claim:{callId}}
 *       the timer keys one claim call took, newline-separated, or empty when its caller gave up
 *       on it (kept {@link #CLAIM_RECORD_TTL}); {@code timer-leases} sorted set of claimed timer keys
 *       whose firing is not completed, score = when the lease runs out (then they are due again)</li>
 *   <li>{@code chosen:{operatorId}} JSON array of the queues set available</li>
 *   <li>{@code presence:{operatorId}:{nodeId}} "1" with a TTL ({@link #PRESENCE_TTL}), refreshed by
 *       the heartbeat; {@code nodes:{operatorId}} set of node ids and {@code operators} set of
 *       operator ids: the index that finds presence keys without SCAN (pruned as keys expire)</li>
 *   <li>{@code alive:{nodeId}} "1" with the presence TTL, refreshed by the node's heartbeat;
 *       {@code gnodes:{chatId}} set of the nodes holding the chat's guest sockets, {@code gchats:{nodeId}}
 *       the chats a node holds guest sockets of, {@code gnodeset} the nodes with such entries</li>
 *   <li>{@code offline} hash: offline message id → JSON</li>
 *   <li>{@code session:{tokenHash}} JSON {@code {"op","exp"}} expiring (PXAT) at the session's end</li>
 *   <li>{@code login:{username}} count of sign-in attempts, expiring at the end of its window</li>
 * </ul>
 *
 * <p>Every call fails (never hangs) when Redis does not answer within {@link #COMMAND_TIMEOUT}.
 * The client's pool opens a new connection for the next command after one broke, so commands
 * work again as soon as Redis is back; scripts are re-sent with EVAL when Redis lost them.
 * A timed-out write may still have been applied: callers re-read before retrying a decision.
 */
public final class RedisStateStore implements StateStore, RecordParts {
  private static final Logger log = LoggerFactory.getLogger(RedisStateStore.class);

  /** Expiry of a presence key; the presence heartbeat refreshes it every 5 s. */
  public static final Duration PRESENCE_TTL = Duration.ofSeconds(15);
  /** Longest wait for one Redis command (or script) before its future fails. */
  public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
  /** Connections to Redis: enough for bursts, while the waiting queue stays bounded. */
  private static final int POOL_SIZE = 32;
  public static final String DEFAULT_PREFIX = "switchboard:";

  static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};

  private static final String CREATE_CHAT = "create_chat";
  private static final String REPLACE_CHAT = "replace_chat";
  private static final String UNANSWERED_CHATS = "unanswered_chats";
  private static final String HELD_COUNTS = "held_counts";
  private static final String APPEND_TO_CHAT = "append_to_chat";
  private static final String CLAIM_TIMERS = "claim_timers";
  private static final String PRESENCE = "presence";
  private static final String CONNECTED_OPERATORS = "connected_operators";
  private static final String MARK_OFFLINE_DONE = "mark_offline_done";
  private static final String REPLACE_DIRECTORY = "replace_directory";
  private static final String COUNT_LOGIN_ATTEMPT = "count_login_attempt";
  private static final String UNCOUNT = "uncount";
  private static final String GUEST_PRESENCE = "guest_presence";
  private static final String GUEST_CONNECTED = "guest_connected";
  private static final String DEAD_GUEST_NODES = "dead_guest_nodes";
  private static final String REPLACE_GUEST_CHATS = "replace_guest_chats";
  private static final String FORGET_CHAT = "forget_chat";

  /** Connections the store's commands are pipelined over (see {@link PipelinedRedis}). */
  private static final int PIPELINED_CONNECTIONS = 2;

  private final Redis redis;
  private final PipelinedRedis commands;
  private final String prefix;
  private final String nodeId;
  private final long presenceTtlMillis;
  private final LuaScripts scripts;

  private RedisStateStore(Redis redis, String prefix, String nodeId, Duration presenceTtl) {
    this.redis = redis;
    this.commands = new PipelinedRedis(redis, PIPELINED_CONNECTIONS);
    this.prefix = prefix;
    this.nodeId = nodeId;
    this.presenceTtlMillis = Math.max(1, presenceTtl.toMillis());
    this.scripts = new LuaScripts(this::send, CREATE_CHAT, REPLACE_CHAT, UNANSWERED_CHATS, HELD_COUNTS,
        APPEND_TO_CHAT, CLAIM_TIMERS, PRESENCE, CONNECTED_OPERATORS, MARK_OFFLINE_DONE, REPLACE_DIRECTORY,
        COUNT_LOGIN_ATTEMPT, UNCOUNT, GUEST_PRESENCE, GUEST_CONNECTED, DEAD_GUEST_NODES,
        REPLACE_GUEST_CHATS, FORGET_CHAT);
  }

  /** Connects, checks Redis answers and loads the scripts; fails when Redis is unreachable. */
  public static Future<RedisStateStore> connect(Vertx vertx, String redisUrl, String keyPrefix, String nodeId) {
    return connect(vertx, RedisTarget.single(redisUrl), keyPrefix, nodeId, PRESENCE_TTL);
  }

  /** As {@link #connect(Vertx, String, String, String)} for one server or a Sentinel group. */
  public static Future<RedisStateStore> connect(Vertx vertx, RedisTarget target, String keyPrefix, String nodeId) {
    return connect(vertx, target, keyPrefix, nodeId, PRESENCE_TTL);
  }

  /** As {@link #connect(Vertx, String, String, String)} with another presence expiry (tests). */
  public static Future<RedisStateStore> connect(Vertx vertx, String redisUrl, String keyPrefix, String nodeId,
      Duration presenceTtl) {
    return connect(vertx, RedisTarget.single(redisUrl), keyPrefix, nodeId, presenceTtl);
  }

  private static Future<RedisStateStore> connect(Vertx vertx, RedisTarget target, String keyPrefix, String nodeId,
      Duration presenceTtl) {
    Objects.requireNonNull(target, "target");
    String prefix = keyPrefix == null || keyPrefix.isEmpty() ? DEFAULT_PREFIX : keyPrefix;
    Redis redis = Redis.createClient(vertx, RedisClientOptions.of(target, POOL_SIZE, COMMAND_TIMEOUT.toMillis()));
    RedisStateStore store;
    try {
      store = new RedisStateStore(redis, prefix, nodeId, presenceTtl);
    } catch (RuntimeException e) {
      redis.close();
      return Future.failedFuture(e);
    }
    return store.ping()
        .compose(v -> store.scripts.loadAll())
        .map(v -> {
          log.info("Redis state store connected (prefix {}, node {})", prefix, nodeId);
          return store;
        })
        .recover(err -> {
          store.close();
          return Future.failedFuture(new IllegalStateException("cannot use Redis: " + err.getMessage(), err));
        });
  }

  public Future<Void> close() {
    commands.close();
    return redis.close();
  }

  public String keyPrefix() {
    return prefix;
  }

  private Future<Response> send(Request request) {
    return commands.send(request).timeout(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Our own records always encode; a failure here is a bug, not a Redis problem. */
  private static String encode(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  private String key(String... parts) {
    return prefix + String.join(":", parts);
  }

  // ---- chats -------------------------------------------------------------------------------

  @Override
  public Future<Void> createChat(Chat chat) {
    String json = encode(chat);
    return scripts.run(CREATE_CHAT,
        List.of(key("chat", chat.id()), key("unanswered"), key("holders"), key("created")),
        List.of(Long.toString(chat.version()), json, nz(holder(chat)), unansweredScore(chat), chat.id(), prefix,
            Long.toString(chat.createdAt().toEpochMilli()), chat.state().name(), guestName(chat),
            nz(chat.operatorName()), chat.guest() == null ? Guest.WEB : chat.guest().channel()))
        .compose(r -> r != null && r.toLong() == 1
            ? Future.succeededFuture()
            : Future.failedFuture(new IllegalStateException("chat " + chat.id() + " exists")));
  }

  @Override
  public Future<Chat> chat(String chatId) {
    return send(Request.cmd(Command.HGET).arg(key("chat", chatId)).arg("json"))
        .compose(r -> r == null ? Future.succeededFuture() : parse(r.toString(), Chat.class));
  }

  @Override
  public Future<ReplaceResult> replaceChat(Chat expected, Chat updated, int capacity) {
    if (!expected.id().equals(updated.id())) {
      return Future.failedFuture(new IllegalArgumentException(
          "replaceChat of " + expected.id() + " with another chat " + updated.id()));
    }
    String json = encode(updated);
    return scripts.run(REPLACE_CHAT,
        List.of(key("chat", updated.id()), key("unanswered"), key("holders")),
        List.of(Long.toString(expected.version()), Long.toString(updated.version()), json, nz(holder(updated)),
            Integer.toString(capacity), unansweredScore(updated), updated.id(), prefix, updated.state().name(),
            guestName(updated), nz(updated.operatorName()),
            updated.guest() == null ? Guest.WEB : updated.guest().channel()))
        .compose(r -> {
          try {
            return Future.succeededFuture(ReplaceResult.valueOf(String.valueOf(r)));
          } catch (IllegalArgumentException e) {
            return Future.failedFuture(new IllegalStateException("replace_chat answered " + r));
          }
        });
  }

  /** The guest's name as the chat hash keeps it beside the JSON for append_to_chat ('' = none). */
  private static String guestName(Chat chat) {
    return chat.guest() == null ? "" : nz(chat.guest().name());
  }

  private static String holder(Chat chat) {
    return chat.state() == ChatState.active ? chat.operatorId() : null;
  }

  private static String unansweredScore(Chat chat) {
    if (!chat.state().isUnanswered()) {
      return "";
    }
    Instant since = chat.waitingSince() != null ? chat.waitingSince() : chat.createdAt();
    return since == null ? "0" : Long.toString(micros(since));
  }

  @Override
  public Future<List<Chat>> unansweredChats() {
    return scripts.run(UNANSWERED_CHATS, List.of(key("unanswered")), List.of(prefix))
        .compose(r -> {
          List<Chat> chats = new ArrayList<>();
          if (r != null) {
            for (Response item : r) {
              Chat c = parseNow(item.toString(), Chat.class);
              if (c.state().isUnanswered()) {
                chats.add(c);
              }
            }
          }
          return Future.succeededFuture(chats);
        });
  }

  @Override
  public Future<Set<String>> heldChats(String operatorId) {
    return send(Request.cmd(Command.SMEMBERS).arg(key("held", operatorId)))
        .map(r -> {
          Set<String> ids = new HashSet<>();
          if (r != null) {
            r.forEach(item -> ids.add(item.toString()));
          }
          return Set.copyOf(ids);
        });
  }

  @Override
  public Future<Map<String, Integer>> heldCounts() {
    return scripts.run(HELD_COUNTS, List.of(key("holders")), List.of(prefix))
        .map(r -> {
          Map<String, Integer> counts = new HashMap<>();
          if (r != null) {
            for (int i = 0; i + 1 < r.size(); i += 2) {
              counts.put(r.get(i).toString(), r.get(i + 1).toInteger());
            }
          }
          return counts;
        });
  }

  // ---- transcripts -------------------------------------------------------------------------

  @Override
  public Future<ChatMessage> appendMessage(String chatId, String from, String name, String text, Instant at,
      String clientId) {
    return append(chatId, from, "given", name == null ? "" : name, name == null ? "0" : "1", text, at, clientId)
        .map(ChatAppend::message);
  }

  @Override
  public Future<ChatAppend> appendToChat(String chatId, String from, String operatorId, String text, Instant at,
      String clientId) {
    boolean fromOperator = ChatMessage.FROM_OPERATOR.equals(from);
    return append(chatId, from, fromOperator ? "operator" : "guest", operatorId == null ? "" : operatorId, "0",
        text, at, clientId);
  }

  /** One run of append_to_chat.lua (its header says what {@code mode}, {@code arg7} and {@code arg8} mean). */
  private Future<ChatAppend> append(String chatId, String from, String mode, String arg7, String arg8, String text,
      Instant at, String clientId) {
    ObjectNode body = JSON.createObjectNode(); // the script puts seq and the sender's name first
    body.put("from", from);
    body.put("text", text);
    body.put("at", at == null ? null : at.toString());
    String dedupField = clientId == null ? "" : from + ":" + clientId;
    return scripts.run(APPEND_TO_CHAT,
        List.of(key("chat", chatId), key("transcript", chatId), key("dedup", chatId)),
        List.of(body.toString(), dedupField, clientId == null ? "0" : "1", text == null ? "" : text,
            text == null ? "1" : "0", mode, arg7, arg8))
        .compose(r -> {
          String outcome = r == null || r.size() == 0 ? "" : r.get(0).toString();
          return switch (outcome) {
            case "none" -> Future.succeededFuture(ChatAppend.refused(ChatAppend.Outcome.NO_CHAT, null));
            case "ended" -> Future.succeededFuture(
                ChatAppend.refused(ChatAppend.Outcome.ENDED, ChatState.valueOf(r.get(1).toString())));
            case "not_held" -> Future.succeededFuture(
                ChatAppend.refused(ChatAppend.Outcome.NOT_HELD, ChatState.valueOf(r.get(1).toString())));
            case "ok" -> {
              // a new message is built from what we sent; only a resend's stored JSON is parsed
              Future<ChatMessage> message = "1".equals(r.get(5).toString())
                  ? parse(r.get(8).toString(), ChatMessage.class)
                  : Future.succeededFuture(new ChatMessage(r.get(4).toLong(), from,
                      "1".equals(r.get(7).toString()) ? r.get(6).toString() : null, text, at));
              String state = r.get(1).toString();
              yield message.map(m -> new ChatAppend(ChatAppend.Outcome.APPENDED,
                  state.isEmpty() ? null : ChatState.valueOf(state),
                  r.get(2).toString().isEmpty() ? null : r.get(2).toString(),
                  Guest.SMS.equals(r.get(3).toString()), m));
            }
            default -> Future.failedFuture(new IllegalStateException("append_to_chat answered " + r));
          };
        });
  }

  @Override
  public Future<List<ChatMessage>> messagesAfter(String chatId, long afterSeq) {
    long start = Math.max(0, afterSeq);
    return send(Request.cmd(Command.LRANGE).arg(key("transcript", chatId)).arg(start).arg(-1))
        .compose(r -> {
          List<ChatMessage> messages = new ArrayList<>();
          if (r != null) {
            for (Response item : r) {
              messages.add(parseNow(item.toString(), ChatMessage.class));
            }
          }
          return Future.succeededFuture(List.copyOf(messages));
        });
  }

  // ---- timers ------------------------------------------------------------------------------

  @Override
  public Future<Void> scheduleTimer(String key, Instant due) {
    return send(Request.cmd(Command.ZADD).arg(key("timers")).arg(micros(due)).arg(key)).mapEmpty();
  }

  @Override
  public Future<Boolean> scheduleTimerIfAbsent(String key, Instant due) {
    return send(Request.cmd(Command.ZADD).arg(key("timers")).arg("NX").arg(micros(due)).arg(key))
        .map(r -> r != null && r.toLong() == 1);
  }

  @Override
  public Future<Void> cancelTimer(String key) {
    return Future.all(send(Request.cmd(Command.ZREM).arg(key("timers")).arg(key)),
        send(Request.cmd(Command.ZREM).arg(key("timer-leases")).arg(key))).mapEmpty();
  }

  @Override
  public Future<Void> completeTimer(String key) {
    return send(Request.cmd(Command.ZREM).arg(key("timer-leases")).arg(key)).mapEmpty();
  }

  @Override
  public Future<Void> releaseTimer(String key, Instant due) {
    // NX: a schedule made while it was leased (e.g. the next rollover stage) stays as it is
    return send(Request.cmd(Command.ZADD).arg(key("timers")).arg("NX").arg(micros(due)).arg(key))
        .compose(r -> completeTimer(key));
  }

  /**
   * How long Redis keeps what one claim call took (or the mark that its caller gave up on it),
   * for a caller that missed the answer: see {@link #claimDueTimers}.
   */
  static final Duration CLAIM_RECORD_TTL = Duration.ofHours(1);
  /** Claim calls that failed here (no answer in time) but may have run, or may yet run, in Redis. */
  private final Set<String> claimsInDoubt = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicBoolean settlingClaims = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Claiming leases the timers, so a claim whose answer is lost would delay them by a lease:
   * a frozen Redis (or a slow link) runs the call after this side gave up waiting (a rollover due
   * during a Redis pause then fired a lease late). So each call has an id, and claim_timers.lua keeps
   * what it took under that id; a call that failed here is settled before anything new is
   * claimed, by {@link #settleClaimsInDoubt}, which gets those timers back to fire.
   */
  @Override
  public Future<List<String>> claimDueTimers(Instant now, int max) {
    if (max <= 0) {
      return Future.succeededFuture(List.of());
    }
    if (!claimsInDoubt.isEmpty()) {
      return settleClaimsInDoubt();
    }
    String callId = java.util.UUID.randomUUID().toString();
    return scripts.run(CLAIM_TIMERS, List.of(key("timers"), key("claim", callId), key("timer-leases")),
            List.of(Long.toString(micros(now)), Integer.toString(max), Long.toString(CLAIM_RECORD_TTL.toMillis()),
                Long.toString(TIMER_LEASE.toNanos() / 1000)))
        .map(r -> {
          List<String> keys = new ArrayList<>();
          if (r != null) {
            r.forEach(item -> keys.add(item.toString()));
          }
          return keys;
        })
        .onFailure(e -> claimsInDoubt.add(callId));
  }

  /**
   * For each claim call in doubt: SET NX marks it given up, so one that has not run yet claims
   * nothing when it does; if the key exists instead, the call ran (or was given up before) and
   * the key holds what it took. Each call is settled once: one settling at a time, and a call
   * leaves the doubt only with the answer that returns its timers.
   */
  private Future<List<String>> settleClaimsInDoubt() {
    if (!settlingClaims.compareAndSet(false, true)) { // a failure, not "nothing due": Redis has not answered yet
      return Future.failedFuture(new IllegalStateException("earlier timer claims are still being settled"));
    }
    List<Future<List<String>>> settled = new ArrayList<>();
    for (String callId : List.copyOf(claimsInDoubt)) {
      String k = key("claim", callId);
      settled.add(send(Request.cmd(Command.SET).arg(k).arg("").arg("NX").arg("PX").arg(CLAIM_RECORD_TTL.toMillis()))
          .compose(marked -> marked != null ? Future.succeededFuture(List.<String>of())
              : send(Request.cmd(Command.GET).arg(k)).map(r -> r == null || r.toString().isEmpty()
                  ? List.<String>of() : List.of(r.toString().split("\n"))))
          .onSuccess(keys -> claimsInDoubt.remove(callId)));
    }
    return Future.join(settled).transform(all -> {
      settlingClaims.set(false);
      List<String> keys = new ArrayList<>();
      Throwable failure = null;
      for (Future<List<String>> f : settled) {
        if (f.succeeded()) {
          keys.addAll(f.result());
        } else {
          failure = f.cause();
        }
      }
      if (!keys.isEmpty()) {
        log.info("timers {} claimed by a call whose answer was lost are fired now", keys);
      }
      return keys.isEmpty() && failure != null ? Future.failedFuture(failure) : Future.succeededFuture(keys);
    });
  }

  // ---- presence ----------------------------------------------------------------------------

  @Override
  public Future<Void> setChosenQueues(String operatorId, Set<String> queues) {
    String json;
    try {
      json = JSON.writeValueAsString(new TreeSet<>(queues));
    } catch (JsonProcessingException e) {
      return Future.failedFuture(e);
    }
    return send(Request.cmd(Command.SET).arg(key("chosen", operatorId)).arg(json)).mapEmpty();
  }

  @Override
  public Future<Void> setConnected(String operatorId, String nodeId, boolean connected) {
    return scripts.run(PRESENCE,
        List.of(key("presence", operatorId, nodeId), key("nodes", operatorId), key("operators")),
        List.of(operatorId, nodeId, connected ? "1" : "0", Long.toString(presenceTtlMillis)))
        .mapEmpty();
  }

  @Override
  public Future<Void> setGuestConnected(String chatId, String nodeId, boolean connected) {
    return scripts.run(GUEST_PRESENCE, List.of(key("gnodes", chatId), key("gchats", nodeId), key("gnodeset")),
        List.of(chatId, nodeId, connected ? "1" : "0")).mapEmpty();
  }

  @Override
  public Future<List<String>> replaceGuestChats(String nodeId, Set<String> chatIds) {
    List<String> args = new ArrayList<>(chatIds.size() + 2);
    args.add(prefix);
    args.add(nodeId);
    args.addAll(chatIds);
    return scripts.run(REPLACE_GUEST_CHATS, List.of(key("gchats", nodeId), key("gnodeset")), args).map(r -> {
      List<String> removed = new ArrayList<>();
      if (r != null) {
        r.forEach(item -> removed.add(item.toString()));
      }
      return removed;
    });
  }

  @Override
  public Future<Boolean> guestConnected(String chatId) {
    return scripts.run(GUEST_CONNECTED, List.of(key("gnodes", chatId)), List.of(prefix))
        .map(r -> r != null && r.toLong() == 1);
  }

  @Override
  public Future<Void> nodeAlive(String nodeId) {
    return send(Request.cmd(Command.SET).arg(key("alive", nodeId)).arg("1").arg("PX").arg(presenceTtlMillis))
        .mapEmpty();
  }

  @Override
  public Future<List<String>> guestsLeftOnDeadNodes() {
    return scripts.run(DEAD_GUEST_NODES, List.of(key("gnodeset")), List.of(prefix)).map(r -> {
      List<String> chats = new ArrayList<>();
      if (r != null) {
        r.forEach(item -> chats.add(item.toString()));
      }
      return chats;
    });
  }

  @Override
  public Future<Map<String, Set<String>>> connectedOperators() {
    return scripts.run(CONNECTED_OPERATORS, List.of(key("operators")), List.of(prefix))
        .compose(r -> {
          Map<String, Set<String>> result = new LinkedHashMap<>();
          if (r != null) {
            for (int i = 0; i + 1 < r.size(); i += 2) {
              String chosen = r.get(i + 1) == null ? "" : r.get(i + 1).toString();
              Set<String> queues = chosen.isEmpty() ? Set.of() : Set.copyOf(parseNow(chosen, STRING_LIST));
              result.put(r.get(i).toString(), queues);
            }
          }
          return Future.succeededFuture(result);
        });
  }

  // ---- sessions ----------------------------------------------------------------------------

  record StoredSession(String op, Instant exp) {}

  @Override
  public Future<Void> putSession(String tokenHash, String operatorId, Instant expiresAt) {
    String json;
    try {
      json = JSON.writeValueAsString(new StoredSession(operatorId, expiresAt));
    } catch (JsonProcessingException e) {
      return Future.failedFuture(e);
    }
    // Redis drops the key at the end (rounded up to the millisecond); sessionOperator also
    // compares with the caller's clock, as the in-memory store does.
    long pxat = Math.max(1, ceilMillis(expiresAt));
    return send(Request.cmd(Command.SET).arg(key("session", tokenHash)).arg(json).arg("PXAT").arg(pxat))
        .mapEmpty();
  }

  @Override
  public Future<String> sessionOperator(String tokenHash, Instant now) {
    String k = key("session", tokenHash);
    return send(Request.cmd(Command.GET).arg(k)).compose(r -> {
      if (r == null) {
        return Future.succeededFuture();
      }
      StoredSession s;
      try {
        s = JSON.readValue(r.toString(), StoredSession.class);
      } catch (JsonProcessingException e) {
        return Future.failedFuture(e);
      }
      if (s.exp() == null || !s.exp().isAfter(now)) {
        return send(Request.cmd(Command.DEL).arg(k)).map(v -> (String) null);
      }
      return Future.succeededFuture(s.op());
    });
  }

  @Override
  public Future<Void> deleteSession(String tokenHash) {
    return send(Request.cmd(Command.DEL).arg(key("session", tokenHash))).mapEmpty();
  }

  @Override
  public Future<Void> ping() {
    return send(Request.cmd(Command.PING)).compose(r -> r != null && "PONG".equalsIgnoreCase(r.toString())
        ? Future.succeededFuture()
        : Future.failedFuture(new IllegalStateException("PING answered " + r)));
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Epoch microseconds: exact in a sorted-set score (a double) until the year 2255. */
  static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  private static long ceilMillis(Instant t) {
    long ms = t.toEpochMilli();
    return t.getNano() % 1_000_000 == 0 ? ms : ms + 1;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private static <T> Future<T> parse(String json, Class<T> type) {
    try {
      return Future.succeededFuture(JSON.readValue(json, type));
    } catch (JsonProcessingException e) {
      return Future.failedFuture(e);
    }
  }

  /** For use inside compose: a bad stored value fails the returned future via the exception. */
  private static <T> T parseNow(String json, Class<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable value in Redis: " + e.getOriginalMessage(), e);
    }
  }

  private static <T> T parseNow(String json, TypeReference<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable value in Redis: " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "RedisStateStore[prefix=" + prefix + ", node=" + nodeId + "]";
  }

  // ---- small shared values -----------------------------------------------------------------

  @Override
  public Future<Boolean> putIfAbsent(String key, String value, Duration ttl) {
    return send(Request.cmd(Command.SET).arg(key("value", key)).arg(value).arg("NX").arg("PX")
        .arg(Math.max(1, ttl.toMillis()))).map(r -> r != null);
  }

  @Override
  public Future<Void> putValue(String key, String value, Duration ttl) {
    return send(Request.cmd(Command.SET).arg(key("value", key)).arg(value).arg("PX")
        .arg(Math.max(1, ttl.toMillis()))).mapEmpty();
  }

  @Override
  public Future<String> value(String key) {
    return send(Request.cmd(Command.GET).arg(key("value", key))).map(r -> r == null ? null : r.toString());
  }

  // ---- stats, retention, queues and operators ---------------------------------------------

  @Override
  public Future<List<Chat>> chatsCreatedBetween(Instant from, Instant to) {
    // ids by creation time, then their JSON in one round trip; the range end is exclusive
    return send(Request.cmd(Command.ZRANGEBYSCORE).arg(key("created")).arg(from.toEpochMilli())
        .arg("(" + to.toEpochMilli())).compose(ids -> {
          if (ids == null || ids.size() == 0) {
            return Future.succeededFuture(List.<Chat>of());
          }
          List<Future<Response>> reads = new ArrayList<>();
          for (Response id : ids) {
            reads.add(send(Request.cmd(Command.HGET).arg(key("chat", id.toString())).arg("json")));
          }
          return Future.all(reads).map(all -> {
            List<Chat> chats = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
              Response r = all.resultAt(i);
              if (r != null) {
                chats.add(parseNow(r.toString(), Chat.class));
              }
            }
            return chats;
          });
        });
  }

  @Override
  public Future<Void> deleteTranscript(String chatId) {
    return send(Request.cmd(Command.DEL).arg(key("transcript", chatId)).arg(key("dedup", chatId))).mapEmpty();
  }

  @Override
  public Future<Boolean> forgetEndedChat(String chatId, long version) {
    return scripts.run(FORGET_CHAT,
        List.of(key("chat", chatId), key("transcript", chatId), key("dedup", chatId), key("timeline", chatId),
            key("created")),
        List.of(Long.toString(version), chatId))
        .map(r -> r != null && r.toLong() == 1);
  }

  @Override
  public Future<DirectoryDoc> directory() {
    return send(Request.cmd(Command.HGET).arg(key("directory")).arg("json"))
        .compose(r -> r == null ? Future.succeededFuture() : parse(r.toString(), DirectoryDoc.class));
  }

  @Override
  public Future<Boolean> replaceDirectory(long expectedVersion, DirectoryDoc next) {
    String json = encode(next);
    return scripts.run(REPLACE_DIRECTORY, List.of(key("directory")),
            List.of(Long.toString(expectedVersion), Long.toString(next.version()), json))
        .map(r -> r != null && r.toLong() == 1);
  }

  // ---- timelines and canned responses ------------------------------------------------------

  @Override
  public Future<Void> appendChatEvent(String chatId, ChatEvent event) {
    String json = encode(event);
    return send(Request.cmd(Command.RPUSH).arg(key("timeline", chatId)).arg(json)).mapEmpty();
  }

  @Override
  public Future<List<ChatEvent>> chatEvents(String chatId) {
    return send(Request.cmd(Command.LRANGE).arg(key("timeline", chatId)).arg(0).arg(-1)).map(r -> {
      List<ChatEvent> events = new ArrayList<>();
      if (r != null) {
        r.forEach(item -> events.add(parseNow(item.toString(), ChatEvent.class)));
      }
      return List.copyOf(events);
    });
  }

  @Override
  public Future<Void> putCannedResponse(CannedResponse response) {
    String json = encode(response);
    return send(Request.cmd(Command.HSET).arg(key("canned")).arg(response.id()).arg(json)).mapEmpty();
  }

  @Override
  public Future<Boolean> deleteCannedResponse(String id) {
    return send(Request.cmd(Command.HDEL).arg(key("canned")).arg(id)).map(r -> r != null && r.toLong() > 0);
  }

  @Override
  public Future<List<CannedResponse>> cannedResponses() {
    return send(Request.cmd(Command.HVALS).arg(key("canned"))).map(r -> {
      List<CannedResponse> list = new ArrayList<>();
      if (r != null) {
        r.forEach(item -> list.add(parseNow(item.toString(), CannedResponse.class)));
      }
      return List.copyOf(list);
    });
  }

  // ---- offline messages --------------------------------------------------------------------
  // One hash, id → JSON: few enough to read whole. Marking done is a script so that, of two
  // operators marking at once, the first is recorded and both get that record back.

  @Override
  public Future<Void> addOfflineMessage(OfflineMessage message) {
    String json = encode(message);
    return send(Request.cmd(Command.HSET).arg(key("offline")).arg(message.id()).arg(json)).mapEmpty();
  }

  @Override
  public Future<List<OfflineMessage>> offlineMessages() {
    return send(Request.cmd(Command.HVALS).arg(key("offline"))).map(r -> {
      List<OfflineMessage> list = new ArrayList<>();
      if (r != null) {
        r.forEach(item -> list.add(parseNow(item.toString(), OfflineMessage.class)));
      }
      list.sort(Comparator.comparing(OfflineMessage::createdAt).reversed());
      return list;
    });
  }

  @Override
  public Future<OfflineMessage> markOfflineMessageDone(String id, String operatorId, Instant at) {
    return send(Request.cmd(Command.HGET).arg(key("offline")).arg(id)).compose(r -> {
      if (r == null) {
        return Future.succeededFuture(null);
      }
      OfflineMessage message = parseNow(r.toString(), OfflineMessage.class);
      if (message.done()) {
        return Future.succeededFuture(message);
      }
      String json;
      try {
        json = JSON.writeValueAsString(message.markDone(operatorId, at));
      } catch (JsonProcessingException e) {
        return Future.failedFuture(e);
      }
      return scripts.run(MARK_OFFLINE_DONE, List.of(key("offline")), List.of(id, json))
          .map(stored -> stored == null ? null : parseNow(stored.toString(), OfflineMessage.class));
    });
  }

  // ---- sign-in attempts ----------------------------------------------------------------------
  // INCR and its expiry in one script, so no node can count without the window being set.

  @Override
  public Future<Long> countLoginAttempt(String username, int lockAt, Duration window) {
    return scripts.run(COUNT_LOGIN_ATTEMPT, List.of(key("login", username)),
            List.of(Long.toString(Math.max(1, window.toMillis())), Integer.toString(lockAt)))
        .compose(r -> r == null
            ? Future.failedFuture(new IllegalStateException("count_login_attempt answered nothing"))
            : Future.succeededFuture(r.toLong()));
  }

  @Override
  public Future<Void> clearLoginAttempts(String username) {
    return send(Request.cmd(Command.DEL).arg(key("login", username))).mapEmpty();
  }

  @Override
  public Future<Long> countInWindow(String key, Duration window) {
    // the sign-in counter's script with no lock count: the first event starts the window
    return scripts.run(COUNT_LOGIN_ATTEMPT, List.of(key("limit", key)),
            List.of(Long.toString(Math.max(1, window.toMillis())), "0"))
        .compose(r -> r == null
            ? Future.failedFuture(new IllegalStateException("count_login_attempt answered nothing"))
            : Future.succeededFuture(r.toLong()));
  }

  @Override
  public Future<Void> uncount(String key) {
    return scripts.run(UNCOUNT, List.of(key("limit", key)), List.of()).mapEmpty();
  }
}
