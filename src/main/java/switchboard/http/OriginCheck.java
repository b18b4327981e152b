package switchboard.http;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which pages may open our sockets. Guests: any page by default, since the widget is
 * embedded on the library's own sites; a configured list narrows that. Operators: only
 * the server's own pages (the console) and origins listed by name, never "*", so a page
 * elsewhere cannot ride an operator's session. A client that sends no Origin header is
 * not a browser page and is let through (it has to present a token anyway).
 */
final class OriginCheck {
  private final Set<String> listed;
  private final boolean anyGuestOrigin;

  OriginCheck(List<String> allowedOrigins) {
    this.listed = Set.copyOf(allowedOrigins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList());
    this.anyGuestOrigin = listed.isEmpty() || listed.contains("*");
  }

  boolean allowsGuest(String origin, String authority) {
    return origin == null || anyGuestOrigin || isListedOrSame(origin, authority);
  }

  boolean allowsOperator(String origin, String authority) {
    return origin == null || isListedOrSame(origin, authority);
  }

  private boolean isListedOrSame(String origin, String authority) {
    String normalized = origin.toLowerCase(Locale.ROOT);
    if (listed.contains(normalized)) {
      return true;
    }
    // same host as the request; the scheme is not compared because a TLS proxy may sit in front
    int hostStart = normalized.indexOf("://");
    return authority != null && hostStart > 0
        && normalized.substring(hostStart + 3).equals(authority.toLowerCase(Locale.ROOT));
  }
}
