package switchboard.routing;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Guest sockets this node holds, per chat. The store knows which nodes hold some (see
 * {@link switchboard.store.StateStore#guestConnected}); when a chat's last one here closes its
 * grace timer is set, and when it fires the chat ends only if no live node holds a socket of its guest.
 */
final class GuestSockets {
  private final Map<String, Set<String>> byChat = new HashMap<>();

  /** True when it is the chat's first socket here (this node is then counted in the store). */
  boolean attach(String chatId, String socketId) {
    Set<String> sockets = byChat.computeIfAbsent(chatId, k -> new HashSet<>());
    boolean first = sockets.isEmpty();
    sockets.add(socketId);
    return first;
  }

  /** True when it was the chat's last socket here; a socket never attached changes nothing. */
  boolean detach(String chatId, String socketId) {
    Set<String> sockets = byChat.get(chatId);
    if (sockets == null || !sockets.remove(socketId) || !sockets.isEmpty()) {
      return false;
    }
    byChat.remove(chatId);
    return true;
  }

  boolean holds(String chatId) {
    return byChat.containsKey(chatId);
  }

  /** Forgets the chat's sockets here; true if there were any. */
  boolean forget(String chatId) {
    return byChat.remove(chatId) != null;
  }

  Set<String> chats() {
    return Set.copyOf(byChat.keySet());
  }
}
