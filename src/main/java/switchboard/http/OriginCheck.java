package switchboard.http;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which pages may open our sockets: the server's own origin, the configured ones, and
 * non-browser clients (no Origin header; a browser always sends one, so pages elsewhere
 * cannot ride an operator's session).
 */
final class OriginCheck {
  private final Set<String> allowed;
  private final boolean anyOrigin;

  OriginCheck(List<String> allowedOrigins) {
    this.allowed = Set.copyOf(allowedOrigins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList());
    this.anyOrigin = allowed.contains("*");
  }

  boolean allows(String origin, String authority) {
    if (origin == null || anyOrigin) {
      return true;
    }
    String normalized = origin.toLowerCase(Locale.ROOT);
    if (allowed.contains(normalized)) {
      return true;
    }
    // same host as the request; the scheme is not compared because a TLS proxy may sit in front
    int hostStart = normalized.indexOf("://");
    return authority != null && hostStart > 0
        && normalized.substring(hostStart + 3).equals(authority.toLowerCase(Locale.ROOT));
  }
}
