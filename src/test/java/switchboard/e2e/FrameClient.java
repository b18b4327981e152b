package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A WebSocket client for the Switchboard wire protocol. Every text frame received is parsed into a
 * JsonObject and queued. {@link #next(String)} returns the next frame of a type, keeping frames of other
 * types aside (in arrival order) for later calls: tests never depend on which other frames the server
 * sends in between.
 *
 * <p>Only the test thread reads frames; the socket's handlers only enqueue.
 */
public final class FrameClient implements AutoCloseable {
  public static final Duration TIMEOUT = TestNode.TIMEOUT;
  /** Window used to assert that something did not happen. */
  public static final Duration QUIET = Duration.ofMillis(500);
  /** Frame type used for a text frame that is not a JSON object. */
  public static final String UNPARSEABLE = "<unparseable>";

  private final String label;
  private final ClientWebSocket ws;
  private final LinkedBlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
  private final List<JsonObject> stash = new ArrayList<>();
  private final List<JsonObject> log = Collections.synchronizedList(new ArrayList<>());
  private final CompletableFuture<Short> closed = new CompletableFuture<>();
  private static final java.util.concurrent.atomic.AtomicLong CLIENT_IDS = new java.util.concurrent.atomic.AtomicLong();

  private FrameClient(String label, ClientWebSocket ws) {
    this.label = label;
    this.ws = ws;
    ws.textMessageHandler(text -> {
      JsonObject frame;
      try {
        frame = new JsonObject(text);
      } catch (RuntimeException e) {
        frame = new JsonObject().put("type", UNPARSEABLE).put("raw", text);
      }
      log.add(frame);
      inbox.add(frame);
    });
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode() == null ? (short) -1 : ws.closeStatusCode()));
    ws.exceptionHandler(e -> { /* close handler reports the end */ });
  }

  // ---------------------------------------------------------------- connecting

  /** Starts a connection; {@code origin} null sends no Origin header (a non-browser client). */
  public static Future<FrameClient> connectAsync(TestNode node, String path, String label, String origin) {
    return connectAsync(node.wsClient(), node.port(), path, label, origin);
  }

  /** A socket to a node that is not a {@link TestNode} (e.g. one in another process), through {@code client}. */
  public static FrameClient connect(WebSocketClient client, int port, String path, String label) {
    return TestNode.await(connectAsync(client, port, path, label, null));
  }

  private static Future<FrameClient> connectAsync(WebSocketClient wsClient, int port, String path, String label,
      String origin) {
    ClientWebSocket ws = wsClient.webSocket();
    FrameClient client = new FrameClient(label, ws);
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost("localhost")
        .setPort(port)
        .setURI(path)
        .setAllowOriginHeader(false)
        .setTimeout(TIMEOUT.toMillis());
    if (origin != null) {
      // With allowOriginHeader false Vert.x strips any Origin header; with it true, an explicit one replaces the default.
      options.setAllowOriginHeader(true).putHeader("Origin", origin);
    }
    return ws.connect(options).map(w -> client);
  }

  public static FrameClient connect(TestNode node, String path, String label) {
    return TestNode.await(connectAsync(node, path, label, null));
  }

  /** A guest socket on /ws/guest (no chat started yet). */
  public static FrameClient guest(TestNode node) {
    return connect(node, "/ws/guest", "guest");
  }

  /** Opens /ws/operator and sends the auth frame with {@code token}; does not wait for anything. */
  public static FrameClient operatorSocket(TestNode node, String token, String label) {
    FrameClient c = connect(node, "/ws/operator", label);
    c.send(new JsonObject().put("type", "auth").put("token", token));
    return c;
  }

  /** Signs {@code user} in, opens an operator console socket, authenticates and waits for {@code ready}. */
  public static FrameClient operator(TestNode node, String user) {
    return operator(node, user, node.login(user));
  }

  public static FrameClient operator(TestNode node, String user, String token) {
    FrameClient c = operatorSocket(node, token, user);
    JsonObject ready = c.next("ready");
    assertThat(ready.getJsonObject("operator")).as("ready.operator of %s: %s", user, ready).isNotNull();
    assertThat(ready.getJsonObject("operator").getString("id")).isEqualTo(user);
    return c;
  }

  // ---------------------------------------------------------------- sending

  public void send(JsonObject frame) {
    sendRaw(frame.encode());
  }

  public void sendRaw(String text) {
    TestNode.await(ws.writeTextMessage(text));
  }

  /** A fresh client id, unique in the test run (a resumed guest must not reuse its predecessor's ids by accident). */
  public String newClientId() {
    return label + "-c" + CLIENT_IDS.incrementAndGet();
  }

  // ---------------------------------------------------------------- receiving

  /** The next frame of {@code type} within {@link #TIMEOUT}. */
  public JsonObject next(String type) {
    return next(type, TIMEOUT);
  }

  public JsonObject next(String type, Duration timeout) {
    return next(type, f -> true, timeout);
  }

  /** The next frame of {@code type} for which {@code condition} holds. */
  public JsonObject next(String type, Predicate<JsonObject> condition, Duration timeout) {
    return nextMatching(f -> type.equals(f.getString("type")) && condition.test(f), timeout, "a '" + type + "' frame");
  }

  /** The next frame of {@code type} about {@code chatId} (frames without a chatId also match). */
  public JsonObject nextFor(String type, String chatId) {
    return next(type, forChat(chatId), TIMEOUT);
  }

  public JsonObject nextFor(String type, String chatId, Duration timeout) {
    return next(type, forChat(chatId), timeout);
  }

  /** The next frame whatever its type, in arrival order. */
  public JsonObject nextAny(Duration timeout) {
    return nextMatching(f -> true, timeout, "any frame");
  }

  public JsonObject nextMatching(Predicate<JsonObject> condition, Duration timeout, String what) {
    JsonObject found = takeFromStash(condition);
    if (found != null) {
      return found;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(label + ": timed out after " + timeout + " waiting for " + what
            + "; frames received: " + describeLog());
      }
      JsonObject f;
      try {
        f = inbox.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
      if (f == null) {
        continue;
      }
      if (condition.test(f)) {
        return f;
      }
      stash.add(f);
    }
  }

  /** The next frame (read or stashed first), or null when none arrives within {@code timeout}. */
  public JsonObject poll(Duration timeout) {
    if (!stash.isEmpty()) {
      return stash.remove(0);
    }
    try {
      return inbox.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Fails if a frame of {@code type} arrives (or already arrived unread) within {@code window}. */
  public void expectNone(String type, Duration window) {
    expectNone(type, f -> true, window);
  }

  /** Fails if a frame of {@code type} about {@code chatId} arrives (or already arrived unread) within {@code window}. */
  public void expectNoneFor(String type, String chatId, Duration window) {
    expectNone(type, forChat(chatId), window);
  }

  public void expectNone(String type, Predicate<JsonObject> condition, Duration window) {
    Predicate<JsonObject> p = f -> type.equals(f.getString("type")) && condition.test(f);
    for (JsonObject f : stash) {
      if (p.test(f)) {
        throw new AssertionError(label + ": expected no '" + type + "' frame but got " + f.encode());
      }
    }
    long deadline = System.nanoTime() + window.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      JsonObject f;
      try {
        f = inbox.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
      if (f == null) {
        continue;
      }
      if (p.test(f)) {
        throw new AssertionError(label + ": expected no '" + type + "' frame within " + window + " but got " + f.encode());
      }
      stash.add(f);
    }
  }

  /** Moves every frame received so far to the stash and returns those matching, without removing them. */
  public List<JsonObject> pending(String type, Predicate<JsonObject> condition) {
    inbox.drainTo(stash);
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject f : stash) {
      if (type.equals(f.getString("type")) && condition.test(f)) {
        out.add(f);
      }
    }
    return out;
  }

  /** Every frame this socket received so far, in arrival order, read or not: what a page was shown. */
  public List<JsonObject> received() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  /** Forgets every frame received so far and not read. */
  public void discardUnread() {
    inbox.drainTo(stash);
    stash.clear();
  }

  private JsonObject takeFromStash(Predicate<JsonObject> condition) {
    for (Iterator<JsonObject> it = stash.iterator(); it.hasNext(); ) {
      JsonObject f = it.next();
      if (condition.test(f)) {
        it.remove();
        return f;
      }
    }
    return null;
  }

  public static Predicate<JsonObject> forChat(String chatId) {
    return f -> !f.containsKey("chatId") || Objects.equals(chatId, f.getString("chatId"));
  }

  private String describeLog() {
    synchronized (log) {
      int from = Math.max(0, log.size() - 40);
      StringBuilder sb = new StringBuilder();
      if (from > 0) {
        sb.append("(").append(from).append(" earlier) ");
      }
      for (JsonObject f : log.subList(from, log.size())) {
        String s = f.encode();
        sb.append(s.length() > 300 ? s.substring(0, 300) + "…" : s).append(' ');
      }
      sb.append(closed.isDone() ? "[socket closed with " + closed.getNow(null) + "]" : "[socket open]");
      return sb.toString();
    }
  }

  // ---------------------------------------------------------------- closing

  /** Completes with the close status code (-1 when the close frame carried none) when the socket closes. */
  public CompletableFuture<Short> closed() {
    return closed;
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  /** Waits for the server to close the socket and returns the status code. */
  public short awaitClose(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(label + ": socket not closed within " + timeout + "; frames: " + describeLog());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Asserts the socket is still open (the server did not close it). */
  public void assertOpen() {
    assertThat(isClosed()).as("%s socket closed unexpectedly: %s", label, describeLog()).isFalse();
  }

  /** Closes the socket from this side (a guest or console going away) and waits until it is closed. */
  /** Stops reading from the connection, as a client that hangs or a tab in the background might. */
  public void pauseReading() {
    ws.pause();
  }

  public void drop() {
    if (!closed.isDone()) {
      ws.close();
      awaitClose(TIMEOUT);
    }
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      ws.close();
    }
  }

  @Override
  public String toString() {
    return "FrameClient[" + label + "]";
  }

  // ---------------------------------------------------------------- guest helpers

  /** Guest: sends start and returns the {@code started} frame. */
  public JsonObject start(String queue, String name) {
    send(new JsonObject()
        .put("type", "start")
        .put("queue", queue)
        .put("name", name)
        .putNull("email")
        .put("page", "https://library.example/help"));
    JsonObject started = next("started");
    assertThat(started.getString("chatId")).as("started.chatId: %s", started).isNotBlank();
    assertThat(started.getString("token")).as("started.token: %s", started).isNotBlank();
    return started;
  }

  /** Guest: sends a message and returns its {@code ack}. */
  public JsonObject say(String text) {
    String clientId = newClientId();
    send(guestMessage(text, clientId));
    return next("ack", f -> clientId.equals(f.getString("clientId")), TIMEOUT);
  }

  public static JsonObject guestMessage(String text, String clientId) {
    return new JsonObject().put("type", "message").put("text", text).put("clientId", clientId);
  }

  // ---------------------------------------------------------------- operator helpers

  public void available(String queue, boolean available) {
    send(new JsonObject().put("type", "availability").put("queue", queue).put("available", available));
  }

  /** Operator: the next {@code offer} for {@code chatId}. */
  public JsonObject offerFor(String chatId) {
    return offerFor(chatId, TIMEOUT);
  }

  public JsonObject offerFor(String chatId, Duration timeout) {
    return next("offer", f -> chatId.equals(f.getString("chatId")), timeout);
  }

  /** Operator: accepts and returns the {@code accepted} frame. */
  public JsonObject accept(String chatId) {
    send(new JsonObject().put("type", "accept").put("chatId", chatId));
    return next("accepted", f -> chatId.equals(f.getString("chatId")), TIMEOUT);
  }

  /** Operator: sends a message in {@code chatId} and returns its {@code ack}. */
  public JsonObject say(String chatId, String text) {
    String clientId = newClientId();
    send(operatorMessage(chatId, text, clientId));
    return next("ack", f -> clientId.equals(f.getString("clientId")), TIMEOUT);
  }

  public static JsonObject operatorMessage(String chatId, String text, String clientId) {
    return new JsonObject().put("type", "message").put("chatId", chatId).put("text", text).put("clientId", clientId);
  }

  /** The next {@code error} frame; asserts its code and that it has a message. */
  public JsonObject expectError(String code) {
    JsonObject error = next("error");
    assertThat(error.getString("code")).as("%s: error code of %s", label, error).isEqualTo(code);
    assertThat(error.containsKey("message")).as("error has a message: %s", error).isTrue();
    return error;
  }
}
