package switchboard.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import switchboard.domain.ChatMessage;

/** The journal's lines, written by hand, are the lines Jackson's generator writes, and read back whole. */
class MessageFilesTest {
  private static final Instant AT = Instant.parse("2026-12-07T09:30:00.123456Z");

  /** What the journal wrote through Jackson's generator before its lines were written by hand. */
  private static byte[] jacksonLine(RecordedMessage r) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = new ObjectMapper().getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      ChatMessage m = r.message();
      json.writeStartObject();
      json.writeStringField("c", r.chatId());
      json.writeNumberField("s", m.seq());
      json.writeNumberField("a", JdbcRecordStore.micros(m.at()));
      json.writeStringField("f", m.from());
      json.writeStringField("n", m.name());
      json.writeStringField("t", m.text());
      json.writeStringField("k", r.clientId());
      json.writeEndObject();
    }
    out.write('\n');
    return out.toByteArray();
  }

  private static List<RecordedMessage> awkwardMessages() {
    List<String> texts = List.of("plain", "", "quote \" backslash \\ slash /", "tab\tnew\nline\rreturn\bback\fform",
        "control \u0000 \u0001 \u001f and DEL \u007f", "<script>alert('x')</script> & é 図書館 📚",
        "line separators \u2028 \u2029", "x".repeat(4000), "a lone surrogate \ud800 kept");
    List<RecordedMessage> messages = new ArrayList<>();
    long[] seqs = {1, 9, 10, 99, 100, 999, 1_000, 123_456_789_012L, 7};
    for (int i = 0; i < texts.size(); i++) {
      boolean withNames = i % 2 == 0;
      messages.add(new RecordedMessage("chat-" + i, new ChatMessage(seqs[i], i == 3 ? "system" : "guest",
          withNames ? "Ada \"the\" Reader" : null, texts.get(i), AT.plusNanos(i * 1_000L)),
          withNames ? "client-" + i : null));
    }
    return messages;
  }

  @Test
  void eachLineIsByteForByteWhatJacksonsGeneratorWrites() throws IOException {
    for (RecordedMessage m : awkwardMessages()) {
      assertThat(new String(MessageFiles.line(m), StandardCharsets.UTF_8))
          .isEqualTo(new String(jacksonLine(m), StandardCharsets.UTF_8));
    }
  }

  @Test
  void appendedLinesAreReadBackAsTheSameMessagesFromTheFileAndFromAChunk(@TempDir Path folder) throws IOException {
    List<RecordedMessage> messages = awkwardMessages();
    List<MessageFiles.Appended> appended = new ArrayList<>();
    Path segment;
    try (MessageFiles files = MessageFiles.open(folder)) {
      appended.addAll(files.append(messages.subList(0, 1))); // one line alone
      appended.addAll(files.append(messages.subList(1, messages.size()))); // several in one write
      MessageFiles.Segment written = files.switchTo(files.openNext()); // as the drain rotates
      written.close();
      segment = written.path();
      assertThat(Files.readAllLines(Path.of("/proc/self/maps"))).as("the rotated segment's mapping is released")
          .noneMatch(l -> l.contains(segment.toString()));
    }
    List<MessageFiles.Appended> read = MessageFiles.readAppended(segment);
    assertThat(read).hasSameSizeAs(messages);
    for (int i = 0; i < messages.size(); i++) {
      assertThat(read.get(i).line()).isEqualTo(appended.get(i).line());
      assertThat(read.get(i).chatId()).isEqualTo(messages.get(i).chatId());
      assertThat(read.get(i).seq()).isEqualTo(messages.get(i).message().seq());
    }
    assertThat(Files.readAllBytes(segment)).hasSize(appended.stream().mapToInt(a -> a.line().length).sum());
    for (RecordedMessage m : messages) {
      assertThat(MessageFiles.fromChunkLines(m.chatId(), new String(MessageFiles.line(m), StandardCharsets.UTF_8)))
          .containsExactly(m);
    }
  }

  /**
   * A write that fails partway (a full disk) is refused, so its message is never acknowledged, but
   * its half line stays in the file: the next append must not run into it, or that acknowledged
   * message would be lost in one unreadable line at replay.
   */
  @Test
  void aWriteThatFailsPartwayDoesNotTakeTheNextMessageWithIt(@TempDir Path folder) throws IOException {
    List<RecordedMessage> messages = awkwardMessages().subList(0, 3);
    AtomicBoolean diskFull = new AtomicBoolean();
    Path segment;
    try (MessageFiles files = MessageFiles.open(folder, channel -> new FailingPartway(channel, diskFull))) {
      files.append(messages.subList(0, 1));
      diskFull.set(true);
      assertThatThrownBy(() -> files.append(messages.subList(1, 2))).hasMessageContaining("No space left");
      diskFull.set(false);
      files.append(messages.subList(2, 3));
      segment = files.current();
    }
    assertThat(MessageFiles.readAppended(segment)).extracting(MessageFiles.Appended::chatId)
        .as("the acknowledged messages, the refused one's half line skipped")
        .containsExactly(messages.get(0).chatId(), messages.get(2).chatId());
  }

  /**
   * A segment is mapped into memory (64 MB, sparse) and its lines copied there; what a killed node
   * leaves is such a file, its tail zeros: read while it is still open, the lines are all there.
   */
  @Test
  void theLinesOfAMappedSegmentAreReadWithoutItsUnwrittenTail(@TempDir Path folder) throws IOException {
    List<RecordedMessage> messages = awkwardMessages();
    try (MessageFiles files = MessageFiles.open(folder)) {
      files.append(messages.subList(0, 4));
      files.append(messages.subList(4, messages.size()));
      assertThat(Files.size(files.current())).as("mapped").isEqualTo(MessageFiles.MAPPED_BYTES);
      assertThat(MessageFiles.readAppended(files.current())).extracting(MessageFiles.Appended::seq)
          .containsExactlyElementsOf(messages.stream().map(m -> m.message().seq()).toList());
      assertThat(MessageFiles.readAppended(files.current(), 0, files.written())).hasSameSizeAs(messages);
    }
  }

  /** An append after the journal is closed (a message during shutdown) is refused, not written to a released mapping. */
  @Test
  void anAppendAfterCloseIsRefused(@TempDir Path folder) throws IOException {
    MessageFiles files = MessageFiles.open(folder);
    files.append(awkwardMessages().subList(0, 1));
    files.close();
    assertThatThrownBy(() -> files.append(awkwardMessages().subList(1, 2))).isInstanceOf(IOException.class);
  }

  /** A segment's channel whose gathering write, while {@code failing}, writes half its first buffer and fails. */
  private static final class FailingPartway extends FileChannel {
    private final FileChannel file;
    private final AtomicBoolean failing;

    FailingPartway(FileChannel file, AtomicBoolean failing) {
      this.file = file;
      this.failing = failing;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      if (!failing.get()) {
        return file.write(srcs, offset, length);
      }
      ByteBuffer first = srcs[offset];
      ByteBuffer half = first.duplicate();
      half.limit(half.position() + half.remaining() / 2);
      file.write(half);
      throw new IOException("No space left on device");
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return file.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return file.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long position() throws IOException {
      return file.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      file.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      file.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      file.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return file.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      return file.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return file.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return file.write(src, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      throw new UnsupportedOperationException("not mapped: appends go through write, which this channel fails");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return file.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return file.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      file.close();
    }
  }
}
