package switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.bus.Addresses;
import switchboard.bus.Commands.SocketClosed;

/**
 * What one WebSocket (guest or operator) may cost the node, enforced in one place (docs/SECURITY.md):
 * <ul>
 *   <li>Reads whole text messages itself, so each is checked to be UTF-8 (RFC 6455: else close 1007)
 *       and a message fragmented past the size limit is refused without being kept.</li>
 *   <li>Counts pings (Vert.x answers each with a pong): a flood is closed with 1008.</li>
 *   <li>Counts refused frames (each answered with an {@code error} frame): at most a few error
 *       frames are written per window, the rest are dropped, and past a budget the socket is
 *       closed with 1008: an abusive client is closed, not answered forever.</li>
 *   <li>Writes through a bounded queue: while the client does not read, typing and error frames
 *       are dropped, other frames are kept up to a small overflow; a queue that stays full past a
 *       short limit, or an overflow past its cap, closes the socket with {@link #CLOSE_TOO_SLOW}
 *       (the guest resumes from its last seq, the console re-syncs: nothing is lost).</li>
 * </ul>
 * Every close is published on {@link Addresses#METRICS_SOCKETS_CLOSED}.
 */
public final class SocketGuard {
  private static final Logger log = LoggerFactory.getLogger(SocketGuard.class);
  /** RFC 6455: a text message that is not UTF-8. */
  public static final short CLOSE_INVALID_UTF8 = 1007;
  /** RFC 6455: policy violation (refused-frame budget spent, ping flood). */
  public static final short CLOSE_POLICY = 1008;
  /** The client did not read what was sent to it: reconnect and resume. */
  public static final short CLOSE_TOO_SLOW = 4408;
  static final int MAX_MESSAGE_BYTES = 64 * 1024;

  /**
   * @param refusedPerMinute refused frames allowed in a minute; one more closes the socket (1008)
   * @param errorsPerTenSeconds error frames written in ten seconds; more are counted, not written
   * @param pingsPerTenSeconds pings allowed in ten seconds; one more closes the socket (1008)
   * @param writeQueueBytes the write queue's size: past it the queue is full
   * @param overflowBytes frames kept past a full queue before the socket is closed (4408)
   * @param fullMillis how long the queue may stay full before the socket is closed (4408)
   */
  public record Limits(int refusedPerMinute, int errorsPerTenSeconds, int pingsPerTenSeconds, int writeQueueBytes,
      int overflowBytes, long fullMillis) {
    public static final Limits GUEST = new Limits(60, 20, 30, 128 * 1024, 256 * 1024, 5_000);
    /** Signed-in staff hold many chats at once: wider budgets, a bigger queue. */
    public static final Limits OPERATOR = new Limits(300, 50, 30, 512 * 1024, 1024 * 1024, 5_000);
  }

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private final String kind;
  private final Limits limits;
  private final RateLimit refusals;
  private final RateLimit errors;
  private final RateLimit pings;

  private Buffer message;
  private boolean discarding;
  private long overflow;
  private long fullTimer = -1;
  private boolean closing;

  public SocketGuard(Vertx vertx, ServerWebSocket ws, String kind, Limits limits) {
    this.vertx = vertx;
    this.ws = ws;
    this.kind = kind;
    this.limits = limits;
    this.refusals = new RateLimit(limits.refusedPerMinute(), 60_000);
    this.errors = new RateLimit(limits.errorsPerTenSeconds(), 10_000);
    this.pings = new RateLimit(limits.pingsPerTenSeconds(), 10_000);
  }

  /**
   * Starts reading: {@code onText} gets each whole UTF-8 text message, {@code onBinary} each binary
   * message, {@code onTooLarge} each message fragmented past 64 KiB (dropped).
   */
  public void start(Consumer<String> onText, Runnable onBinary, Runnable onTooLarge) {
    ws.setWriteQueueMaxSize(limits.writeQueueBytes());
    ws.drainHandler(v -> drained());
    ws.frameHandler(frame -> {
      if (!closing) {
        onFrame(frame, onText, onBinary, onTooLarge);
      }
    });
  }

  private void onFrame(WebSocketFrame frame, Consumer<String> onText, Runnable onBinary, Runnable onTooLarge) {
    switch (frame.type()) {
      case PING -> {
        if (!pings.tryAcquire(System.currentTimeMillis())) {
          close(CLOSE_POLICY, "too many pings", "ping_flood");
        }
      }
      case TEXT, BINARY -> {
        message = null;
        discarding = false;
        if (frame.isBinary()) {
          if (frame.isFinal()) {
            onBinary.run();
          } else {
            discarding = true; // a binary message is refused whole; its fragments are not kept
            message = Buffer.buffer(0);
          }
          return;
        }
        append(frame, onText, onTooLarge);
      }
      case CONTINUATION -> {
        if (message == null) {
          return; // no message started (Vert.x' own codec refuses this before it gets here)
        }
        if (discarding) {
          if (frame.isFinal()) {
            message = null;
            discarding = false;
            onBinary.run();
          }
          return;
        }
        append(frame, onText, onTooLarge);
      }
      default -> { } // CLOSE and PONG: Vert.x handles them
    }
  }

  private void append(WebSocketFrame frame, Consumer<String> onText, Runnable onTooLarge) {
    Buffer data = frame.binaryData();
    if (message == null && frame.isFinal()) { // a message in one frame, as browsers send them: no copy to gather it
      decoded(data.getBytes(), onText);
      return;
    }
    if (message == null) {
      message = data.copy();
    } else if (message.length() + data.length() > MAX_MESSAGE_BYTES) {
      message = null;
      discarding = !frame.isFinal();
      if (discarding) {
        message = Buffer.buffer(0);
      }
      onTooLarge.run();
      return;
    } else {
      message.appendBuffer(data);
    }
    if (!frame.isFinal()) {
      return;
    }
    Buffer whole = message;
    message = null;
    decoded(whole.getBytes(), onText);
  }

  /**
   * The text of a whole message, or the socket closed when it is not UTF-8. The JDK's decoding
   * replaces what is not UTF-8 with U+FFFD; only a text holding U+FFFD (rare: it may also have been
   * sent as such) is decoded again strictly to tell which.
   */
  private void decoded(byte[] bytes, Consumer<String> onText) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.indexOf('\uFFFD') >= 0) {
      try {
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
      } catch (CharacterCodingException e) {
        close(CLOSE_INVALID_UTF8, "text frames must be UTF-8", "invalid_utf8");
        return;
      }
    }
    onText.accept(text);
  }

  /**
   * A frame of the client's was refused with {@code errorFrame}: counts it, writes the error while
   * the error budget lasts, and closes the socket once the refusal budget is spent.
   */
  public void refused(String errorFrame) {
    if (closing) {
      return;
    }
    long now = System.currentTimeMillis();
    if (!refusals.tryAcquire(now)) {
      close(CLOSE_POLICY, "too many refused frames", "refused_frames");
      return;
    }
    if (errors.tryAcquire(now)) {
      write(errorFrame);
    }
  }

  /** Writes a frame through the bounded queue (see the class comment); false when it was not written. */
  public boolean write(String frame) {
    if (closing || ws.isClosed()) {
      return false;
    }
    if (ws.writeQueueFull()) {
      if (droppable(frame)) {
        return false;
      }
      overflow += frame.length();
      if (overflow > limits.overflowBytes()) {
        close(CLOSE_TOO_SLOW, "the client does not read; reconnect", "too_slow");
        return false;
      }
      if (fullTimer < 0) {
        fullTimer = vertx.setTimer(limits.fullMillis(), id -> stillFull());
      }
    }
    ws.writeTextMessage(frame);
    return true;
  }

  /** Frames a client does not miss when they are not sent: they are superseded or only informative. */
  private static boolean droppable(String frame) {
    return frame.startsWith("{\"type\":\"typing\"") || frame.startsWith("{\"type\":\"error\"");
  }

  private void stillFull() {
    fullTimer = -1;
    if (!closing && !ws.isClosed() && ws.writeQueueFull()) {
      close(CLOSE_TOO_SLOW, "the client does not read; reconnect", "too_slow");
    } else {
      overflow = 0;
    }
  }

  private void drained() {
    overflow = 0;
    if (fullTimer >= 0) {
      vertx.cancelTimer(fullTimer);
      fullTimer = -1;
    }
  }

  /** True once this guard closed the socket or it closed: nothing more is read or written. */
  public boolean closing() {
    return closing || ws.isClosed();
  }

  /** Closes the socket with a code (the session's own reasons: 4401, 1013, …); nothing is written after. */
  public void close(short code, String reason) {
    close(code, reason, null);
  }

  private void close(short code, String reason, String metric) {
    if (closing) {
      return;
    }
    closing = true;
    message = null;
    if (fullTimer >= 0) {
      vertx.cancelTimer(fullTimer);
      fullTimer = -1;
    }
    if (metric != null) {
      log.warn("closed a {} socket from {} with {}: {}", kind, ws.remoteAddress(), code, reason);
      vertx.eventBus().publish(Addresses.METRICS_SOCKETS_CLOSED, new SocketClosed(kind, metric));
    }
    if (!ws.isClosed()) {
      ws.close(code, reason);
    }
  }
}
