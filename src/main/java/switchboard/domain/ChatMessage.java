package switchboard.domain;

import java.time.Instant;

/** One numbered line of a transcript; {@code from} is guest, operator or system. */
public record ChatMessage(long seq, String from, String name, String text, Instant at) {
  public static final String FROM_GUEST = "guest";
  public static final String FROM_OPERATOR = "operator";
  public static final String FROM_SYSTEM = "system";
}
