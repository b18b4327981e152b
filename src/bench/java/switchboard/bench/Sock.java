package switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A bench client socket. While a scenario sets up, frames queue and {@link #expect} takes the
 * next one that matches; once the load runs, {@link #onFrame} hands every frame straight to the
 * scenario on the socket's event loop, with no parsing and no queue.
 */
final class Sock {
  private final Vertx vertx;
  private final ClientWebSocket ws;
  final String label;
  final int lane;
  private volatile Consumer<String> handler;
  private volatile boolean closed;
  private volatile Runnable onClose;
  private final ArrayDeque<String> inbox = new ArrayDeque<>();
  private final List<Waiter> waiters = new ArrayList<>();

  private record Waiter(Predicate<String> test, Promise<String> promise) {}

  Sock(Vertx vertx, ClientWebSocket ws, String label, int lane) {
    this.vertx = vertx;
    this.ws = ws;
    this.label = label;
    this.lane = lane;
    ws.textMessageHandler(this::onText);
    ws.closeHandler(v -> {
      closed = true;
      Runnable r = onClose;
      if (r != null) {
        r.run();
      }
    });
    ws.exceptionHandler(e -> { /* the close handler tells */ });
  }

  /** Whether {@code frame} is of {@code type}: every frame of both servers starts with its type. */
  static boolean is(String frame, String type) {
    return frame.startsWith("{\"type\":\"" + type + "\"");
  }

  static Predicate<String> type(String type) {
    String prefix = "{\"type\":\"" + type + "\"";
    return f -> f.startsWith(prefix);
  }

  static Predicate<String> typeFor(String type, String chatId) {
    String prefix = "{\"type\":\"" + type + "\"";
    String id = "\"chatId\":\"" + chatId + "\"";
    return f -> f.startsWith(prefix) && f.contains(id);
  }

  private void onText(String text) {
    Consumer<String> h = handler;
    if (h != null) {
      h.accept(text);
      return;
    }
    Promise<String> matched = null;
    synchronized (this) {
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.test.test(text)) {
          it.remove();
          matched = w.promise;
          break;
        }
      }
      if (matched == null) {
        inbox.add(text);
        if (inbox.size() > 2000) {
          inbox.removeFirst();
        }
      }
    }
    if (matched != null) {
      matched.tryComplete(text);
    }
  }

  /** The next frame (already queued or still to come) that passes {@code test}. */
  Future<String> expect(Predicate<String> test, String what, long timeoutMs) {
    Promise<String> promise = Promise.promise();
    synchronized (this) {
      for (Iterator<String> it = inbox.iterator(); it.hasNext(); ) {
        String f = it.next();
        if (test.test(f)) {
          it.remove();
          return Future.succeededFuture(f);
        }
      }
      waiters.add(new Waiter(test, promise));
    }
    long timer = vertx.setTimer(timeoutMs, id -> {
      String seen;
      synchronized (this) {
        waiters.removeIf(w -> w.promise == promise);
        seen = String.join(" ", inbox.stream().skip(Math.max(0, inbox.size() - 3)).toList());
      }
      promise.tryFail(label + ": no " + what + " within " + timeoutMs + " ms" + (closed ? " (socket closed)" : "")
          + "; last frames: " + seen);
    });
    return promise.future().onComplete(r -> vertx.cancelTimer(timer));
  }

  Future<String> expect(String type, long timeoutMs) {
    return expect(type(type), type, timeoutMs);
  }

  /** From now on every frame goes to {@code h} (null: back to queueing). */
  void onFrame(Consumer<String> h) {
    synchronized (this) {
      inbox.clear();
    }
    handler = h;
  }

  /** Runs {@code r} once the socket has closed (set it before the close can happen). */
  void onClose(Runnable r) {
    onClose = r;
  }

  void send(String frame) {
    ws.writeTextMessage(frame);
  }

  boolean isClosed() {
    return closed;
  }

  Future<Void> close() {
    return ws.close();
  }
}
