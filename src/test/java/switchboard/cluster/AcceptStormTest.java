package switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import switchboard.e2e.TestNode;
import switchboard.store.RedisServer;

/**
 * 20 operators spread over two nodes race to accept 500 chats started on both nodes, each
 * holding a chat for a moment and closing it. Every chat must end with exactly one
 * operator, every guest must see exactly one "joined", and no operator may ever hold more
 * than maxChats at once.
 */
class AcceptStormTest {
  private static final int OPERATORS = 20;
  private static final int CHATS = 500;
  private static final int MAX_CHATS = 3;

  private RedisServer redis;
  private Vertx vertxA;
  private Vertx vertxB;
  private Vertx clients;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    clients = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    for (Vertx v : new Vertx[] {clients, vertxA, vertxB}) {
      TestNode.await(v.close(), Duration.ofSeconds(15));
    }
    redis.close();
  }

  /** What the operators saw, as they saw it. */
  private final Map<String, Set<String>> acceptedBy = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> joinedFrames = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> holding = new ConcurrentHashMap<>();
  private final Map<String, Integer> mostHeld = new ConcurrentHashMap<>();
  private final List<String> unexpectedErrors = new ArrayList<>();

  @Test
  void everyChatEndsWithExactlyOneOperatorAndNobodyExceedsMaxChats() throws Exception {
    String prefix = "storm-" + UUID.randomUUID() + ":";
    TestNode a = node(vertxA, "node-a", prefix);
    TestNode b = node(vertxB, "node-b", prefix);
    WebSocketClient ws = clients.createWebSocketClient();

    List<Future<?>> ready = new ArrayList<>();
    for (int i = 1; i <= OPERATORS; i++) {
      String id = String.format("op%02d", i);
      TestNode node = i % 2 == 0 ? a : b;
      ready.add(operator(ws, node, id, node.login(id)));
    }
    TestNode.await(Future.all(ready), Duration.ofSeconds(20));
    a.awaitPresence("general", true);

    CountDownLatch ended = new CountDownLatch(CHATS);
    Map<String, String> chatOfGuest = new ConcurrentHashMap<>();
    for (int i = 0; i < CHATS; i++) {
      TestNode node = i % 2 == 0 ? a : b;
      guest(ws, node, "guest-" + i, chatOfGuest, ended);
    }
    assertThat(ended.await(120, TimeUnit.SECONDS))
        .as("all %d guests saw their chat answered and closed (%d left)", CHATS, ended.getCount()).isTrue();

    assertThat(unexpectedErrors).isEmpty();
    assertThat(chatOfGuest).hasSize(CHATS);
    for (String chatId : chatOfGuest.values()) {
      assertThat(acceptedBy.get(chatId)).as("operators who got 'accepted' for %s", chatId).hasSize(1);
      assertThat(joinedFrames.get(chatId).get()).as("'joined' frames for %s", chatId).isEqualTo(1);
    }
    assertThat(mostHeld.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(MAX_CHATS));
    assertThat(mostHeld).as("the work was spread over many operators").hasSizeGreaterThan(OPERATORS / 2);

    // and the store agrees: each chat closed, by the one operator who accepted it
    String admin = a.login("alice");
    for (String chatId : chatOfGuest.values()) {
      JsonObject record = (chatId.hashCode() % 2 == 0 ? a : b).chat(chatId, admin);
      assertThat(record.getString("state")).isEqualTo("closed");
      assertThat(Set.of(record.getString("operator"))).isEqualTo(acceptedBy.get(chatId));
    }
  }

  private TestNode node(Vertx vertx, String id, String prefix) {
    TestNode.Builder builder = TestNode.builder(vertx).redis(redis.url(), prefix).nodeId(id).clientVertx(clients)
        .extraOperators(OPERATORS);
    for (int i = 1; i <= OPERATORS; i++) {
      builder.maxChats(String.format("op%02d", i), MAX_CHATS);
    }
    return builder.start();
  }

  private Future<Void> operator(WebSocketClient client, TestNode node, String id, String token) {
    return client.connect(node.port(), "localhost", "/ws/operator").compose(socket -> {
      holding.put(id, new AtomicInteger());
      io.vertx.core.Promise<Void> available = io.vertx.core.Promise.promise();
      socket.textMessageHandler(text -> onOperatorFrame(id, socket, new JsonObject(text), available));
      socket.writeTextMessage(new JsonObject().put("type", "auth").put("token", token).encode());
      return available.future();
    });
  }

  private void onOperatorFrame(String id, WebSocket socket, JsonObject frame, io.vertx.core.Promise<Void> available) {
    switch (frame.getString("type")) {
      case "ready" -> socket.writeTextMessage(
          new JsonObject().put("type", "availability").put("queue", "general").put("available", true).encode());
      case "availability" -> available.tryComplete();
      case "offer" -> clients.setTimer(1 + ThreadLocalRandom.current().nextInt(5), t -> socket.writeTextMessage(
          new JsonObject().put("type", "accept").put("chatId", frame.getString("chatId")).encode()));
      case "accepted" -> {
        String chatId = frame.getString("chatId");
        acceptedBy.computeIfAbsent(chatId, k -> ConcurrentHashMap.newKeySet()).add(id);
        int now = holding.get(id).incrementAndGet();
        mostHeld.merge(id, now, Math::max);
        clients.setTimer(1 + ThreadLocalRandom.current().nextInt(20), t -> socket.writeTextMessage(
            new JsonObject().put("type", "close").put("chatId", chatId).encode()));
      }
      case "closed" -> holding.get(id).decrementAndGet();
      case "error" -> {
        String code = frame.getString("code");
        // losing a race, or an offer that was already withdrawn as this operator filled up
        if (!"already_taken".equals(code) && !"forbidden".equals(code)) {
          synchronized (unexpectedErrors) {
            unexpectedErrors.add(id + ": " + frame.encode());
          }
        }
      }
      default -> { }
    }
  }

  private void guest(WebSocketClient client, TestNode node, String name, Map<String, String> chatOfGuest,
      CountDownLatch ended) {
    client.connect(node.port(), "localhost", "/ws/guest").onSuccess(socket -> {
      socket.textMessageHandler(text -> {
        JsonObject frame = new JsonObject(text);
        switch (frame.getString("type")) {
          case "started" -> {
            chatOfGuest.put(name, frame.getString("chatId"));
            joinedFrames.put(frame.getString("chatId"), new AtomicInteger());
          }
          case "joined" -> joinedFrames.get(chatOfGuest.get(name)).incrementAndGet();
          case "closed" -> {
            ended.countDown();
            socket.close();
          }
          case "error" -> {
            synchronized (unexpectedErrors) {
              unexpectedErrors.add(name + ": " + frame.encode());
            }
          }
          default -> { }
        }
      });
      socket.writeTextMessage(new JsonObject().put("type", "start").put("queue", "general").put("name", name).encode());
    }).onFailure(e -> {
      synchronized (unexpectedErrors) {
        unexpectedErrors.add(name + " could not connect: " + e.getMessage());
      }
    });
  }
}
