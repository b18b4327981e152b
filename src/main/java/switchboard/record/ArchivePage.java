package switchboard.record;

import java.util.List;
import switchboard.stats.ChatFigures;

/** One page of an archive search, and how many chats match in all. */
public record ArchivePage(List<ChatFigures> chats, int total) {}
