package switchboard.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The chats one console socket was sent {@code accepted} for, and the messages that came for a
 * chat before its {@code accepted}. `accepted` leaves only after the chat's history is read, so a
 * guest's message stored just after that read is relayed live and can overtake it; the console
 * drops a message for a chat it does not show, and the message was lost to the librarian (found by
 * the concurrency storm). Such a message waits here and is written right after the `accepted`
 * (unless the history already had it); one for a chat that left the console is dropped.
 */
final class HeldChats {
  /** A message waits this long for its chat's `accepted`; later it is for a chat that left. */
  private static final long WAIT_MILLIS = 30_000;
  private static final int MAX_WAITING = 500;

  private record Waiting(String chatId, String frame, long since) {}

  private final Set<String> held = new HashSet<>();
  private final List<Waiting> waiting = new ArrayList<>();

  boolean holds(String chatId) {
    return held.contains(chatId);
  }

  /** Keeps a message for a chat not (yet) held; the oldest go first past the cap. */
  void hold(String chatId, String frame, long now) {
    prune(now);
    if (waiting.size() >= MAX_WAITING) {
      waiting.remove(0);
    }
    waiting.add(new Waiting(chatId, frame, now));
  }

  /** The console now holds {@code chatId}: the messages that waited for it, in arrival order. */
  List<String> accepted(String chatId, long now) {
    held.add(chatId);
    prune(now);
    List<String> out = new ArrayList<>();
    for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
      Waiting w = it.next();
      if (w.chatId().equals(chatId)) {
        out.add(w.frame());
        it.remove();
      }
    }
    return out;
  }

  /** The chat left the console (closed, transferred, returned): nothing for it waits any more. */
  void left(String chatId) {
    held.remove(chatId);
    waiting.removeIf(w -> w.chatId().equals(chatId));
  }

  private void prune(long now) {
    waiting.removeIf(w -> now - w.since() > WAIT_MILLIS);
  }

  /** The seqs in an `accepted` frame's history. */
  static List<Long> historySeqs(JsonObject accepted) {
    List<Long> seqs = new ArrayList<>();
    JsonArray history = accepted.getJsonArray("history");
    if (history != null) {
      for (int i = 0; i < history.size(); i++) {
        Long seq = history.getJsonObject(i).getLong("seq");
        if (seq != null) {
          seqs.add(seq);
        }
      }
    }
    return seqs;
  }
}
