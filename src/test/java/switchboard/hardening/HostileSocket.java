package switchboard.hardening;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import switchboard.e2e.TestNode;

/**
 * A WebSocket client that sends what a browser never would: binary frames, frames larger than
 * the server's limit, raw text and chosen upgrade headers (Origin, X-Forwarded-For). It keeps
 * every text frame it receives, parsed, in arrival order.
 */
final class HostileSocket implements AutoCloseable {
  /** Large enough to send a frame far past the server's 64 KiB limit in one piece. */
  private static final int CLIENT_FRAME_LIMIT = 1 << 20;

  private final ClientWebSocket ws;
  private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Short> closed = new CompletableFuture<>();

  private HostileSocket(ClientWebSocket ws) {
    this.ws = ws;
    ws.textMessageHandler(text -> {
      JsonObject frame;
      try {
        frame = new JsonObject(text);
      } catch (RuntimeException e) {
        frame = new JsonObject().put("type", "<unparseable>").put("raw", text);
      }
      frames.add(frame);
    });
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode() == null ? (short) -1 : ws.closeStatusCode()));
    ws.exceptionHandler(e -> { /* the close handler reports the end */ });
  }

  static WebSocketClient client(Vertx vertx) {
    return vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(CLIENT_FRAME_LIMIT).setMaxMessageSize(CLIENT_FRAME_LIMIT * 4));
  }

  /** A client whose sockets have a small kernel receive buffer, so a paused one stops the server's writes soon. */
  static WebSocketClient slowReaderClient(Vertx vertx) {
    return vertx.createWebSocketClient(new WebSocketClientOptions().setReceiveBufferSize(4096)
        .setMaxFrameSize(CLIENT_FRAME_LIMIT).setMaxMessageSize(CLIENT_FRAME_LIMIT * 4));
  }

  static HostileSocket connect(WebSocketClient client, int port, String path, Map<String, String> headers) {
    ClientWebSocket ws = client.webSocket();
    HostileSocket socket = new HostileSocket(ws);
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("localhost").setPort(port).setURI(path)
        .setTimeout(TestNode.TIMEOUT.toMillis()).setAllowOriginHeader(headers.containsKey("Origin"));
    headers.forEach(options::putHeader);
    TestNode.await(ws.connect(options));
    return socket;
  }

  void text(String text) {
    TestNode.await(ws.writeTextMessage(text));
  }

  void send(JsonObject frame) {
    text(frame.encode());
  }

  void binary(byte[] bytes) {
    TestNode.await(ws.writeBinaryMessage(Buffer.buffer(bytes)));
  }

  /** One text frame of exactly this payload, never split by the client. */
  void singleFrame(String text) {
    TestNode.await(ws.writeFrame(WebSocketFrame.textFrame(text, true)));
  }

  /** Like {@link #singleFrame}, for a frame the server may cut off while it is still being written. */
  void oversizedFrame(String text) {
    ws.writeFrame(WebSocketFrame.textFrame(text, true)).toCompletionStage().toCompletableFuture()
        .handle((v, e) -> null).join();
  }

  /**
   * One text message sent as several frames of {@code frameSize} characters; the server may close
   * the socket before the last one (what it did is for the caller to check).
   */
  void fragmented(String text, int frameSize) {
    for (int at = 0; at < text.length() && !isClosed(); at += frameSize) {
      String part = text.substring(at, Math.min(text.length(), at + frameSize));
      boolean last = at + frameSize >= text.length();
      ws.writeFrame(at == 0 ? WebSocketFrame.textFrame(part, last)
          : WebSocketFrame.continuationFrame(Buffer.buffer(part), last)).toCompletionStage().toCompletableFuture()
          .handle((v, e) -> null).join();
    }
  }

  /** One text frame whose payload is these bytes as they are (a browser only ever sends UTF-8). */
  void rawTextFrame(byte[] payload, boolean last) {
    TestNode.await(ws.writeFrame(new io.vertx.core.http.impl.ws.WebSocketFrameImpl(
        io.vertx.core.http.WebSocketFrameType.TEXT, payload, last)));
  }

  /** A continuation frame with these bytes. */
  void rawContinuation(byte[] payload, boolean last) {
    TestNode.await(ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(payload), last)));
  }

  /** Writes without waiting for the write to complete; false when the client's own queue is full. */
  boolean textNoWait(String text) {
    try {
      if (isClosed() || ws.writeQueueFull()) {
        return false;
      }
      ws.writeTextMessage(text);
      return true;
    } catch (IllegalStateException closedMeanwhile) {
      return false;
    }
  }

  /** A ping, not waited for; false when the client's own queue is full. */
  boolean pingNoWait() {
    try {
      if (isClosed() || ws.writeQueueFull()) {
        return false;
      }
      ws.writePing(Buffer.buffer("p"));
      return true;
    } catch (IllegalStateException closedMeanwhile) {
      return false;
    }
  }

  /** Stops reading from the connection (the server's writes pile up in its queue and the kernel's). */
  void pause() {
    ws.pause();
  }

  void resume() {
    ws.resume();
  }

  /** How many text frames have arrived and not been taken. */
  int unread() {
    return frames.size();
  }

  /** The next text frame, or null when none comes within the timeout. */
  JsonObject next(Duration timeout) {
    try {
      return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The next frame of this type, skipping others; fails after the timeout. */
  JsonObject next(String type, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonObject f = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (f != null && type.equals(f.getString("type"))) {
        return f;
      }
    }
    throw new AssertionError("no '" + type + "' frame within " + timeout + (isClosed() ? " (socket closed with "
        + closed.getNow(null) + ")" : ""));
  }

  /** The next text frame matching, skipping others; fails after the timeout. */
  JsonObject next(java.util.function.Predicate<JsonObject> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonObject f = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (f != null && condition.test(f)) {
        return f;
      }
    }
    throw new AssertionError("no matching frame within " + timeout);
  }

  boolean isClosed() {
    return closed.isDone();
  }

  /** The close code, waiting for the server to close; fails if it does not within the timeout. */
  short awaitClose(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("socket still open after " + timeout);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      ws.close();
    }
  }
}
