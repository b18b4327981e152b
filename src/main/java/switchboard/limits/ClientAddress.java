package switchboard.limits;

import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.util.List;

/**
 * The one rule for "which client is this" that every per-client limit uses (chat starts, offline
 * messages, transcript mails): the peer's address, unless the peer is a trusted proxy
 * ({@code http.trustedProxies}); then the rightmost {@code X-Forwarded-For} hop that is not itself
 * a trusted proxy. {@code X-Forwarded-For} from any other peer is ignored, so a client cannot
 * choose the address it is counted under. A client on the node's own host that sends no
 * {@code X-Forwarded-For} (a test, a load generator, a health probe) is not counted at all.
 */
public final class ClientAddress {
  /** Loopback and the private ranges: where a reverse proxy in front of a node usually is. */
  public static final List<String> DEFAULT_TRUSTED_PROXIES = List.of("127.0.0.0/8", "::1/128", "10.0.0.0/8",
      "172.16.0.0/12", "192.168.0.0/16", "fc00::/7");
  private static final int MAX_HOPS = 20;

  private final List<Cidr> trusted;

  public ClientAddress(List<String> trustedProxies) {
    this.trusted = trustedProxies.stream().map(Cidr::parse).toList();
  }

  /** The address to count this client under, or null for a local client that is not counted. */
  public String of(SocketAddress peer, MultiMap headers) {
    String address = peer == null ? null : peer.hostAddress();
    InetAddress ip = address == null ? null : Cidr.literal(address);
    if (ip == null) {
      return address; // a Unix socket or the like: counted under what the peer is called
    }
    String forwarded = headers == null ? null : headers.get("X-Forwarded-For");
    if (isTrusted(ip) && forwarded != null && !forwarded.isBlank()) {
      String[] hops = forwarded.split(",");
      for (int i = hops.length - 1; i >= Math.max(0, hops.length - MAX_HOPS); i--) {
        String hop = hops[i].strip();
        InetAddress hopIp = Cidr.literal(hop);
        if (hopIp == null) {
          // not an address (a name, "unknown", garbage): count it under what it says, bounded
          return hop.isEmpty() ? ip.getHostAddress() : hop.substring(0, Math.min(hop.length(), 64));
        }
        if (!isTrusted(hopIp) || i == 0) {
          return hopIp.getHostAddress();
        }
      }
      return ip.getHostAddress();
    }
    return ip.isLoopbackAddress() ? null : ip.getHostAddress();
  }

  private boolean isTrusted(InetAddress ip) {
    for (Cidr range : trusted) {
      if (range.contains(ip)) {
        return true;
      }
    }
    return false;
  }
}
