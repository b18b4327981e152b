package switchboard.record;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A search of ended chats (issue 16): created in [from, to), on a queue (asked or answering),
 * held by an operator, with a rating or a resolution, with every word in its messages; each
 * filter may be null. Newest first, {@code limit} from {@code offset}.
 *
 * @param words lower-case letters and digits only, at most {@value #MAX_WORDS}; each matches a word
 *              of a message that starts with it ("renew" finds "renewal")
 */
public record ArchiveQuery(Instant from, Instant to, String queue, String operator, Integer rating,
    String resolution, List<String> words, int limit, int offset) {
  public static final int MAX_WORDS = 8;

  public ArchiveQuery {
    words = words == null ? List.of() : List.copyOf(words);
  }

  /** The words of what a person typed: letters and digits, lower case; the rest separates them. */
  public static List<String> wordsOf(String text) {
    List<String> words = new ArrayList<>();
    if (text == null) {
      return words;
    }
    for (String part : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!part.isEmpty() && words.size() < MAX_WORDS && !words.contains(part)) {
        words.add(part);
      }
    }
    return words;
  }
}
