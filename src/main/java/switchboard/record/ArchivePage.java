package switchboard.record;

import java.util.List;
import switchboard.stats.ChatFigures;

/**
 * One page of an archive search, and how many chats match in all: exactly up to
 * {@value #COUNTED_UP_TO}, beyond that {@code total} is that many and {@code totalCapped} true
 * (counting every match of a wide search would cost more than it tells).
 */
public record ArchivePage(List<ChatFigures> chats, int total, boolean totalCapped) {
  public static final int COUNTED_UP_TO = 1_000;

  public static ArchivePage of(List<ChatFigures> chats, int matches) {
    return new ArchivePage(chats, Math.min(matches, COUNTED_UP_TO), matches > COUNTED_UP_TO);
  }
}
