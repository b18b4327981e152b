package switchboard.record;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.config.RecordSettings;
import switchboard.domain.ChatMessage;

/**
 * Acknowledged messages that are not in the SQLite record yet: append-only files of JSON lines in a
 * folder beside the database ({@code switchboard.db.pending-messages/segment-N.jsonl}). Appending
 * copies a batch's lines into the segment's mapping ({@link #MAPPED_BYTES}), without fsync, like
 * SQLite's own commits with {@code synchronous=NORMAL}: the pages are the kernel's page cache of the
 * file, so what was copied survives the process being killed, and it costs a copy where a
 * {@code write} cost a system call (half the append's time on routing's loop, docs/BENCHMARKS.md)
 * and a SQLite transaction per batch a commit's page writes and locks (see
 * {@link FileJournaledRecord}). A segment is written until it holds {@link #ROTATE_AT_BYTES}
 * and deleted once its messages are all in the database: the drain tracks how far it got in
 * memory, so the message path does not create and delete a file per drain (each one a metadata
 * change, and on a file system mounted with {@code discard}, a trim, that an append could wait
 * behind); a segment is cut to its written length when closed. The segments left by a killed node
 * are put into the database when it is opened again ({@link #replay}), before anything reads it,
 * skipping what a drain already put there.
 *
 * <p>Blocking; not thread-safe: its user holds one lock around each call (appends come from the
 * caller's thread or the journal's, rotation from the journal's; see {@link FileJournaledRecord}).
 */
public final class MessageFiles implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MessageFiles.class);
  private static final ObjectMapper LINES = new ObjectMapper();
  private static final String PREFIX = "segment-";
  private static final String SUFFIX = ".jsonl";
  private static final String LOCK = "lock";
  /** The size past which the drain starts a new segment (about 13 s of the relay bench's 10,000 msg/s). */
  static final long ROTATE_AT_BYTES = 32L << 20;
  /**
   * How much of a segment is mapped into memory for appends (a sparse file until written): a
   * message is copied there, without a system call, and is in the kernel's page cache as a
   * {@code write} would have put it, so a killed process loses none of it. Past it (a drain
   * late by seconds) appends go through the channel.
   */
  static final int MAPPED_BYTES = 64 << 20;
  private static final ByteBuffer NEWLINE = ByteBuffer.wrap(new byte[] {'\n'}).asReadOnlyBuffer();

  /**
   * One message as a line, as {@link #append} writes it field by field: short names, since every
   * acknowledged message is written once more here.
   */
  record Line(String c, long s, long a, String f, String n, String t, String k) {
    RecordedMessage message() {
      return new RecordedMessage(c, new ChatMessage(s, f, n, t, JdbcRecordStore.instant(a)), k);
    }
  }

  private final Path folder;
  /** How a segment's channel is opened for appending (tests wrap it to fail a write partway). */
  private final UnaryOperator<FileChannel> appendingTo;
  /** Held while a node journals here, so that nobody else replays (and deletes) the files it writes. */
  private final FileChannel lockFile;
  private final FileLock lock;
  private long number;
  private Path current;
  private FileChannel channel;
  /** The current segment's first {@link #MAPPED_BYTES}, where appends go (null: through the channel). */
  private MappedByteBuffer map;
  /** Whether the channel's position is {@link #written} (for appends through the channel). */
  private boolean channelAtEnd;
  /** Bytes written into the current segment. */
  private long written;
  /** A write failed partway: the next append ends the torn line first, so that its own first line stays whole. */
  private boolean lineTorn;

  private MessageFiles(Path folder, long number, FileChannel lockFile, FileLock lock,
      UnaryOperator<FileChannel> appendingTo) throws IOException {
    this.folder = folder;
    this.appendingTo = appendingTo;
    this.number = number;
    this.lockFile = lockFile;
    this.lock = lock;
    switchTo(openNext());
  }

  /** The folder of a SQLite record's pending messages. */
  public static Path folderFor(RecordSettings sqlite) {
    return Path.of(sqlite.url().substring("jdbc:sqlite:".length()) + ".pending-messages");
  }

  /** Starts writing in {@code folder} after the segments already there (normally none: {@link #replay} took them). */
  static MessageFiles open(Path folder) throws IOException {
    return open(folder, UnaryOperator.identity());
  }

  /** {@code appendingTo}: wraps each segment's channel (tests of a failing disk). */
  static MessageFiles open(Path folder, UnaryOperator<FileChannel> appendingTo) throws IOException {
    Files.createDirectories(folder);
    FileChannel lockFile = lockFile(folder);
    try {
      FileLock lock = tryLock(lockFile);
      if (lock == null) {
        throw new IOException("another process journals messages in " + folder + " (is a node already running on "
            + "this database?)");
      }
      List<Path> left = segments(folder);
      return new MessageFiles(folder, left.isEmpty() ? 0 : number(left.get(left.size() - 1)), lockFile, lock,
          appendingTo);
    } catch (IOException | RuntimeException e) {
      lockFile.close();
      throw e;
    }
  }

  private static FileChannel lockFile(Path folder) throws IOException {
    return FileChannel.open(folder.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
  }

  /** The lock, or null when another process (or another opening in this one) holds it. */
  private static FileLock tryLock(FileChannel lockFile) throws IOException {
    try {
      return lockFile.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  /** A message as the journal wrote it: its chat, its seq, and its line (newline included). */
  record Appended(String chatId, long seq, byte[] line) {}

  /**
   * Adds the messages to the current segment (one write, no fsync), a line each; answers the lines,
   * which the drain puts into the database as they are ({@link MessageChunk}).
   */
  List<Appended> append(List<RecordedMessage> messages) throws IOException {
    List<Appended> lines = encoded(messages);
    long size = lineTorn ? 1 : 0;
    for (Appended line : lines) {
      size += line.line().length;
    }
    long start = written;
    try {
      if (map != null && start + size <= map.capacity()) {
        int at = (int) start;
        if (lineTorn) {
          map.put(at++, (byte) '\n');
        }
        for (Appended line : lines) {
          map.put(at, line.line());
          at += line.line().length;
        }
        written = at;
      } else {
        writeThroughChannel(lines);
      }
    } catch (IOException | RuntimeException | InternalError e) {
      // refused, so never acknowledged; part of it may be in the file, as a torn line (and, in a
      // mapping the disk could not back, zeros), which the next append ends and a reader skips
      written = start + size;
      lineTorn = true;
      channelAtEnd = false;
      map = null; // the rest of this segment through the channel, which answers a full disk with an error
      if (e instanceof InternalError) { // how the JVM reports a mapped page the disk could not back (SIGBUS)
        throw new IOException("the journal's file could not be written: " + e.getMessage(), e);
      }
      throw e;
    }
    lineTorn = false;
    return lines;
  }

  private void writeThroughChannel(List<Appended> lines) throws IOException {
    int first = lineTorn ? 1 : 0;
    ByteBuffer[] out = new ByteBuffer[first + lines.size()];
    if (lineTorn) {
      out[0] = NEWLINE.duplicate();
    }
    long left = 0;
    for (int i = 0; i < out.length; i++) {
      if (i >= first) {
        out[i] = ByteBuffer.wrap(lines.get(i - first).line());
      }
      left += out[i].remaining();
    }
    if (!channelAtEnd) {
      channel.position(written);
      channelAtEnd = true;
    }
    while (left > 0) { // one (gathering) write, in practice
      long n = channel.write(out);
      left -= n;
      written += n;
    }
  }

  /** Bytes written into the current segment so far (the drain's end of it). */
  long written() {
    return written;
  }

  /** The segment appends go into. */
  Path current() {
    return current;
  }

  /** The messages as the lines {@link #append} writes, without writing them (a chunk's rows). */
  static List<Appended> encoded(List<RecordedMessage> messages) {
    List<Appended> lines = new ArrayList<>(messages.size());
    for (RecordedMessage m : messages) {
      lines.add(new Appended(m.chatId(), m.message().seq(), line(m)));
    }
    return lines;
  }

  /**
   * One message as its line, written by hand: {@code {"c":…,"s":…,"a":…,"f":…,"n":…,"t":…,"k":…}} and a
   * newline, strings escaped as Jackson escapes them ({@link Line} reads it; MessageFilesTest holds it
   * equal, byte for byte, to Jackson's generator, which escapes every surrogate, so an unpaired one
   * is kept too). Every acknowledged message is written here on routing's loop: a Jackson generator
   * there was a large method for the JIT, which compiled it again each time a growing seq first
   * needed another digit (the relay bench's compilations, JFR).
   */
  static byte[] line(RecordedMessage r) {
    ChatMessage m = r.message();
    StringBuilder line = new StringBuilder(96 + m.text().length());
    quotedOrNull(line.append("{\"c\":"), r.chatId());
    line.append(",\"s\":").append(m.seq()).append(",\"a\":").append(JdbcRecordStore.micros(m.at()));
    quotedOrNull(line.append(",\"f\":"), m.from());
    quotedOrNull(line.append(",\"n\":"), m.name());
    quotedOrNull(line.append(",\"t\":"), m.text());
    quotedOrNull(line.append(",\"k\":"), r.clientId());
    return line.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void quotedOrNull(StringBuilder line, String text) {
    if (text == null) {
      line.append("null");
      return;
    }
    line.append('"');
    int run = 0; // characters from here on are escaped by Jackson's encoder, surrogates by hand, as its generator does
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        JsonStringEncoder.getInstance().quoteAsString(text.substring(run, i), line);
        line.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
            .append(HEX[c & 0xf]);
        run = i + 1;
      }
    }
    JsonStringEncoder.getInstance().quoteAsString(run == 0 ? text : text.substring(run), line);
    line.append('"');
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** The messages of a {@code message_chunks} row (V6): this journal's lines, {@link MessageChunk}. */
  static List<RecordedMessage> fromChunkLines(String chatId, String lines) {
    // field by field with one parser for the whole chunk: a mapper per line was most of a chat's
    // end (SettleCost, docs/BENCHMARKS.md)
    List<RecordedMessage> messages = new ArrayList<>();
    try (JsonParser p = LINES.getFactory().createParser(lines)) {
      JsonToken token;
      while ((token = p.nextToken()) != null) {
        if (token != JsonToken.START_OBJECT) {
          throw new IOException("a line is not an object: " + token);
        }
        long seq = -1;
        long at = 0;
        String from = null;
        String name = null;
        String text = null;
        String clientId = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          p.nextToken();
          switch (field) {
            case "s" -> seq = p.getLongValue();
            case "a" -> at = p.getLongValue();
            case "f" -> from = p.getValueAsString();
            case "n" -> name = p.getValueAsString();
            case "t" -> text = p.getValueAsString();
            case "k" -> clientId = p.getValueAsString();
            default -> p.skipChildren(); // "c": the same as the chunk's row
          }
        }
        if (seq < 0 || from == null || text == null) {
          throw new IOException("a line lacks its seq, sender or text");
        }
        messages.add(new RecordedMessage(chatId, new ChatMessage(seq, from, name, text, JdbcRecordStore.instant(at)),
            clientId));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("chat " + chatId + ": a stored message cannot be read: " + e.getMessage(), e);
    }
    return messages;
  }

  /** A segment file, the channel and mapping that append to it, and the bytes written into it. */
  record Segment(Path path, FileChannel channel, MappedByteBuffer map, long length) {
    /** Unmaps it and closes its channel, the file cut to its length (no unwritten mapped tail). */
    void close() throws IOException {
      unmap(map);
      try (channel) {
        channel.truncate(length);
      }
    }
  }

  /**
   * Releases a mapping now rather than when the collector finds its buffer (a deleted segment's
   * disk space is freed only then), as Lucene does; left to the collector where the JDK refuses.
   */
  private static void unmap(MappedByteBuffer map) {
    if (map == null || INVOKE_CLEANER == null) {
      return;
    }
    try {
      INVOKE_CLEANER.invoke(UNSAFE, map);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("a segment's mapping is left to the garbage collector: {}", e.toString());
    }
  }

  private static final Object UNSAFE;
  private static final java.lang.reflect.Method INVOKE_CLEANER;

  static {
    Object unsafe = null;
    java.lang.reflect.Method invokeCleaner = null;
    try {
      Class<?> type = Class.forName("sun.misc.Unsafe");
      java.lang.reflect.Field field = type.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      unsafe = field.get(null);
      invokeCleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("segments' mappings are left to the garbage collector: {}", e.toString());
    }
    UNSAFE = unsafe;
    INVOKE_CLEANER = invokeCleaner;
  }

  /**
   * Opens the segment after the current one, for {@link #switchTo}; from the thread that rotates,
   * while appends go on into the current one.
   */
  Segment openNext() throws IOException {
    Path path = folder.resolve(PREFIX + (number + 1) + SUFFIX);
    FileChannel channel = appendingTo.apply(FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE));
    MappedByteBuffer map;
    try {
      map = channel.map(FileChannel.MapMode.READ_WRITE, 0, MAPPED_BYTES);
    } catch (IOException | UnsupportedOperationException e) { // a file system that cannot map: appends use the channel
      log.debug("{} is not mapped ({}): appends are written through its channel", path, e.toString());
      map = null;
    }
    return new Segment(path, channel, map, 0);
  }

  /**
   * Appends go into {@code next} from now on (under the lock that appends take); answers the segment
   * they went into so far, which the caller closes ({@link Segment#close}).
   */
  Segment switchTo(Segment next) {
    Segment previous = current == null ? null : new Segment(current, channel, map, written);
    number++;
    current = next.path();
    channel = next.channel();
    map = next.map();
    channelAtEnd = false;
    written = 0;
    lineTorn = false;
    return previous;
  }

  void delete(List<Path> segments) throws IOException {
    for (Path segment : segments) {
      Files.deleteIfExists(segment);
    }
  }

  /** Closes the current segment and keeps it for the next start's replay (what a kill leaves). */
  @Override
  public void close() throws IOException {
    close(false);
  }

  /** Closes the current segment, deleting it when it is empty or its messages are all in the database. */
  void close(boolean allInDatabase) throws IOException {
    Segment last = new Segment(current, channel, map, written);
    map = null; // an append after this goes to the closed channel and fails, never to the released mapping
    try {
      last.close();
      if (allInDatabase || written == 0) {
        Files.delete(current);
      }
    } finally {
      lock.release();
      lockFile.close();
    }
  }

  /**
   * A segment's lines, in order, as {@link #append} answered them. A last line without its newline
   * is a write the process did not finish (only a machine crash does that: a killed process's write
   * is whole), so its message was never acknowledged: it is skipped. Any other line that cannot be
   * read is logged and skipped.
   */
  static List<Appended> readAppended(Path segment) throws IOException {
    return readAppended(segment, 0, Long.MAX_VALUE);
  }

  /** The lines of the bytes {@code from} (a line's start) up to {@code to} (a line's end) of a segment. */
  static List<Appended> readAppended(Path segment, long from, long to) throws IOException {
    Contents contents = readCounting(segment, from, to);
    List<Appended> lines = new ArrayList<>(contents.messages().size());
    for (int i = 0; i < contents.messages().size(); i++) {
      RecordedMessage m = contents.messages().get(i);
      lines.add(new Appended(m.chatId(), m.message().seq(),
          (contents.lines().get(i) + "\n").getBytes(StandardCharsets.UTF_8)));
    }
    return lines;
  }

  /** A segment's messages, the lines they were read from, and how many whole lines could not be read. */
  record Contents(List<RecordedMessage> messages, List<String> lines, int unreadable) {}

  private static Contents readCounting(Path segment) throws IOException {
    return readCounting(segment, 0, Long.MAX_VALUE);
  }

  private static Contents readCounting(Path segment, long from, long to) throws IOException {
    byte[] bytes;
    try (FileChannel in = FileChannel.open(segment, StandardOpenOption.READ)) {
      ByteBuffer read = ByteBuffer.allocate((int) Math.max(0, Math.min(to, in.size()) - from));
      while (read.hasRemaining() && in.read(read, from + read.position()) >= 0) {
        // until the range is read (or the file ends)
      }
      bytes = read.array();
    }
    String text = withoutZeros(bytes);
    List<RecordedMessage> messages = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    int start = 0;
    int lineNumber = 0;
    int unreadable = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      lineNumber++;
      if (end < 0) {
        log.warn("{}: line {} was not written to its end (a crash during the write); its message was never acknowledged",
            segment, lineNumber);
        break;
      }
      String line = text.substring(start, end);
      start = end + 1;
      if (line.isEmpty()) {
        continue; // the end of a torn line, ended by the next append (or a refused write that tore none)
      }
      try {
        messages.add(LINES.readValue(line, Line.class).message());
        lines.add(line);
      } catch (IOException | RuntimeException e) {
        log.error("{}: line {} cannot be read, skipped: {}", segment, lineNumber, e.getMessage());
        unreadable++;
      }
    }
    return new Contents(messages, lines, unreadable);
  }

  /**
   * The text of a segment's bytes without its zero bytes: the mapped tail a killed node never wrote,
   * and what a refused write left unwritten. A line has none of its own (JSON escapes U+0000).
   */
  private static String withoutZeros(byte[] bytes) {
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] == 0) {
      end--;
    }
    int kept = 0;
    for (int i = 0; i < end; i++) {
      if (bytes[i] != 0) {
        bytes[kept++] = bytes[i];
      }
    }
    return new String(bytes, 0, kept, StandardCharsets.UTF_8);
  }

  /**
   * Puts the segments a stopped or killed node left in {@code folder} into the database, oldest first,
   * and deletes each once committed (one with unreadable lines is kept, renamed {@code .unreadable}) (blocking; run when the record is opened). How many messages.
   */
  static int replay(Path folder, Connection c) throws IOException, SQLException {
    if (!Files.isDirectory(folder)) {
      return 0;
    }
    try (FileChannel lockFile = lockFile(folder)) {
      FileLock lock = tryLock(lockFile);
      if (lock == null) { // a running node journals here: its files reach the database through it
        log.info("{} is in use by a running node; its messages reach the record through that node", folder);
        return 0;
      }
      try {
        return replaySegments(folder, c);
      } finally {
        lock.release();
      }
    }
  }

  private static int replaySegments(Path folder, Connection c) throws IOException, SQLException {
    int replayed = 0;
    Map<String, Long> recordedUpTo = new HashMap<>();
    for (Path segment : segments(folder)) {
      Contents contents = readCounting(segment);
      List<RecordedMessage> messages = new ArrayList<>();
      for (RecordedMessage m : contents.messages()) {
        Long upTo = recordedUpTo.get(m.chatId());
        if (upTo == null) {
          upTo = JdbcRecordStore.recordedUpTo(c, m.chatId());
          recordedUpTo.put(m.chatId(), upTo);
        }
        if (m.message().seq() > upTo) {
          messages.add(m);
        }
      }
      if (!messages.isEmpty()) {
        c.setAutoCommit(false);
        try {
          JdbcRecordStore.insertMessages(c, messages);
          c.commit();
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
      }
      if (contents.unreadable() > 0) { // kept for whoever can mend it
        Path kept = segment.resolveSibling(segment.getFileName() + ".unreadable");
        Files.move(segment, kept);
        log.error("{} kept as {}: {} of its lines could not be read", segment, kept, contents.unreadable());
      } else {
        Files.delete(segment);
      }
      replayed += messages.size();
    }
    if (replayed > 0) {
      log.info("{} acknowledged messages from {} put into the record", replayed, folder);
    }
    return replayed;
  }

  /** The segment files in {@code folder}, in the order they were written. */
  static List<Path> segments(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(p -> p.getFileName().toString().matches(PREFIX + "\\d+" + "\\" + SUFFIX))
          .sorted(Comparator.comparingLong(MessageFiles::number)).toList();
    }
  }

  private static long number(Path segment) {
    String name = segment.getFileName().toString();
    return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
  }
}
