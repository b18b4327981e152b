package switchboard.gateway;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps one socket from going back in time about a chat. Frames about one chat can reach a
 * socket out of order: each node relays the changes it makes at once to its own sockets and
 * over Redis to the other nodes' (so a change made on this node can overtake an earlier one
 * made on another), and `accepted` leaves only after its history is read, while a `closed`
 * made just after goes at once. Unchecked, a console rang for an offer after its withdrawal (for
 * a chat someone else held), showed a chat as held after its `closed`, and a guest saw an
 * operator join after the chat ended. Frames that tell a chat's state (offer, offer_withdrawn,
 * accepted, closed, joined) carry the chat's stored {@code version}; one older than a frame
 * about the same chat already written is dropped.
 */
final class ChatVersions {
  /** Chats remembered per socket; a console rarely sees more, and forgetting only skips the check. */
  private static final int MAX_CHATS = 4096;

  private final Map<String, Long> newest = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > MAX_CHATS;
    }
  };

  /**
   * Whether {@code frame} is older than one already written about its chat; remembers it otherwise.
   * {@code chatId} names the chat for frames that do not (a guest socket's own chat).
   */
  boolean stale(String frame, String chatId) {
    if (!(frame.startsWith("{\"type\":\"offer") || frame.startsWith("{\"type\":\"accepted\"")
        || frame.startsWith("{\"type\":\"closed\"") || frame.startsWith("{\"type\":\"joined\""))) {
      return false;
    }
    JsonObject f = new JsonObject(frame);
    Long version = f.getLong("version");
    String chat = f.getString("chatId", chatId);
    if (version == null || chat == null) {
      return false;
    }
    Long seen = newest.get(chat);
    if (seen != null && version < seen) {
      return true;
    }
    newest.put(chat, version);
    return false;
  }

  /** The newest version of {@code chatId} written to this socket, or null. */
  Long newest(String chatId) {
    return newest.get(chatId);
  }
}
