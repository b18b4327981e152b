package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * What one side of a chat was shown, built from the frames its sockets received, the way the
 * widget and the console build it: one row per seq (a frame repeating a seq already shown adds
 * nothing), the sender's own messages once their ack names a seq. {@link #assertConsistent}
 * fails when a page would have shown something wrong: one seq with two texts, one text under
 * two seqs (a message shown twice), or — for a guest socket, where the server promises it —
 * a seq sent twice on the same socket.
 */
final class Shown {
  private final String who;
  private final Map<Integer, String> bySeq = new TreeMap<>();
  private final List<String> problems = new ArrayList<>();

  Shown(String who) {
    this.who = who;
  }

  /** Message frames of one guest socket (all its frames, in order; other types are skipped). */
  Shown guestSocket(List<JsonObject> frames) {
    Set<Integer> onThisSocket = new HashSet<>();
    for (JsonObject f : frames) {
      if ("message".equals(f.getString("type"))) {
        int seq = f.getInteger("seq");
        if (!onThisSocket.add(seq)) {
          problems.add("seq " + seq + " sent twice on one guest socket");
        }
        show(seq, f.getString("text"));
      }
    }
    return this;
  }

  /** Message frames of one console socket about {@code chatId}, and the history of its `accepted` frames. */
  Shown consoleSocket(List<JsonObject> frames, String chatId) {
    for (JsonObject f : frames) {
      if (!chatId.equals(f.getString("chatId"))) {
        continue;
      }
      if ("message".equals(f.getString("type"))) {
        show(f.getInteger("seq"), f.getString("text"));
      } else if ("accepted".equals(f.getString("type"))) {
        history(f.getJsonArray("history"));
      }
    }
    return this;
  }

  Shown history(JsonArray messages) {
    for (Object m : messages) {
      JsonObject message = (JsonObject) m;
      show(message.getInteger("seq"), message.getString("text"));
    }
    return this;
  }

  /** The sender's own message, shown under the seq its ack named. */
  Shown own(int seq, String text) {
    show(seq, text);
    return this;
  }

  private void show(int seq, String text) {
    String before = bySeq.putIfAbsent(seq, text);
    if (before != null && !before.equals(text)) {
      problems.add("seq " + seq + " shown as \"" + before + "\" and as \"" + text + "\"");
    }
  }

  /** seq → text, only the entries whose text matches (e.g. leaving out system messages). */
  Map<Integer, String> view(Predicate<String> keep) {
    Map<Integer, String> out = new TreeMap<>();
    bySeq.forEach((seq, text) -> {
      if (keep.test(text)) {
        out.put(seq, text);
      }
    });
    return out;
  }

  void assertConsistent() {
    Map<String, Integer> seqOf = new HashMap<>();
    bySeq.forEach((seq, text) -> {
      Integer other = seqOf.put(text, seq);
      if (other != null) {
        problems.add("\"" + text + "\" shown twice, as seq " + other + " and " + seq);
      }
    });
    assertThat(problems).as("what the %s was shown", who).isEmpty();
  }

  /**
   * The stored transcript (GET /api/v1/chats/{id} `messages`) as seq → text, checked: seqs 1..n
   * without a gap, and no message other than a system one stored twice.
   */
  static Map<Integer, String> stored(JsonArray messages) {
    Map<Integer, String> transcript = new LinkedHashMap<>();
    Map<String, Integer> once = new HashMap<>();
    for (Object m : messages) {
      JsonObject message = (JsonObject) m;
      int seq = message.getInteger("seq");
      assertThat(seq).as("seqs without a gap: %s", messages).isEqualTo(transcript.size() + 1);
      transcript.put(seq, message.getString("text"));
      if (!"system".equals(message.getString("from"))) {
        assertThat(once.put(message.getString("text"), seq)).as("\"%s\" stored twice: %s",
            message.getString("text"), messages).isNull();
      }
    }
    return transcript;
  }
}
