package switchboard.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chat starts per client address, shared by every guest socket of a node, so a script cannot
 * flood the queues by opening socket after socket. Behind a proxy on a loopback or private
 * address the last {@code X-Forwarded-For} hop names the client; a client on the node's own
 * host with no such header (the tests, a load generator) is not counted.
 */
public final class StartLimiter {
  public static final int STARTS_PER_MINUTE = 20;
  private static final long WINDOW_MS = 60_000;
  private static final int PRUNE_ABOVE = 10_000;

  private final int limit;
  private final Map<String, long[]> windows = new ConcurrentHashMap<>();

  public StartLimiter() {
    this(STARTS_PER_MINUTE);
  }

  StartLimiter(int limit) {
    this.limit = limit;
  }

  /** Whether one more start from this client is allowed now (fixed one-minute windows). */
  boolean tryStart(SocketAddress peer, MultiMap headers, long nowMillis) {
    String client = client(peer, headers);
    if (client == null) {
      return true;
    }
    long[] window = windows.compute(client, (k, w) ->
        w == null || nowMillis - w[0] >= WINDOW_MS ? new long[] {nowMillis, 1} : new long[] {w[0], w[1] + 1});
    if (windows.size() > PRUNE_ABOVE) {
      windows.values().removeIf(w -> nowMillis - w[0] >= WINDOW_MS);
    }
    return window[1] <= limit;
  }

  /** The address to count, or null for a local client that is not limited. */
  static String client(SocketAddress peer, MultiMap headers) {
    String address = peer == null ? null : peer.hostAddress();
    if (address == null) {
      return null;
    }
    InetAddress ip = parse(address);
    boolean proxy = ip != null && (ip.isLoopbackAddress() || ip.isSiteLocalAddress()
        || (ip.getAddress().length == 16 && (ip.getAddress()[0] & 0xfe) == 0xfc));
    String forwarded = headers == null ? null : headers.get("X-Forwarded-For");
    if (proxy && forwarded != null && !forwarded.isBlank()) {
      String[] hops = forwarded.split(",");
      String last = hops[hops.length - 1].strip();
      return last.isEmpty() ? address : last.substring(0, Math.min(last.length(), 64));
    }
    return ip != null && ip.isLoopbackAddress() ? null : address;
  }

  private static InetAddress parse(String literal) {
    if (!literal.matches("[0-9a-fA-F:.%]+")) {
      return null; // only ever a literal address here; never look a name up
    }
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
