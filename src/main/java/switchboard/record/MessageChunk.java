package switchboard.record;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One running chat's messages as one row of the record's {@code message_chunks} (V6): seqs
 * {@code firstSeq}..{@code lastSeq} as JSON lines, in the journal's line format
 * ({@link MessageFiles#fromChunkLines} reads them).
 */
public record MessageChunk(String chatId, long firstSeq, long lastSeq, String lines) {

  /**
   * The journal's lines grouped by chat, in the order they were written: the lines go in as they
   * are, so a message is encoded once, on its way into the journal, not again for the database.
   */
  static List<MessageChunk> of(List<MessageFiles.Appended> appended) {
    Map<String, Builder> byChat = new LinkedHashMap<>();
    for (MessageFiles.Appended a : appended) {
      byChat.computeIfAbsent(a.chatId(), id -> new Builder()).add(a);
    }
    List<MessageChunk> chunks = new ArrayList<>(byChat.size());
    byChat.forEach((chatId, b) -> chunks.add(new MessageChunk(chatId, b.first, b.last,
        new String(b.bytes.toByteArray(), StandardCharsets.UTF_8))));
    return chunks;
  }

  private static final class Builder {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
    private long first = Long.MAX_VALUE;
    private long last = Long.MIN_VALUE;

    void add(MessageFiles.Appended a) {
      bytes.writeBytes(a.line());
      first = Math.min(first, a.seq());
      last = Math.max(last, a.seq());
    }
  }
}
