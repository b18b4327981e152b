package switchboard.record;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
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
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.config.RecordSettings;
import switchboard.domain.ChatMessage;

/**
 * Acknowledged messages that are not in the SQLite record yet: files of JSON lines in a folder beside
 * the database ({@code switchboard.db.pending-messages/segment-N.jsonl}), each made in advance at its
 * full size, filled with zeros and mapped into memory. Appending a batch is a copy into the mapped
 * file, the kernel's page cache: it survives the process being killed (as SQLite's own commits with
 * {@code synchronous=NORMAL} do, and like them not a power cut), needs no system call and no other
 * thread, so the message path waits for neither a SQLite transaction nor a worker (issue 15; see
 * {@link FileJournaledRecord}). The pages are allocated and loaded when a segment is made, on a worker
 * ({@link #prepare}), so a copy does not wait for the disk. A segment is deleted once it is full and
 * its messages are in the database; the segments a killed node left are put into the database when
 * it is opened again ({@link #replay}), before anything reads it.
 *
 * <p>Not thread-safe: the caller serializes appends, segment switches and closing.
 */
public final class MessageFiles implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MessageFiles.class);
  private static final ObjectMapper LINES = new ObjectMapper();
  private static final String PREFIX = "segment-";
  private static final String SUFFIX = ".jsonl";
  private static final String LOCK = "lock";
  /** About 20,000 messages of a usual length; a batch larger than that gets a segment of its size. */
  static final int SEGMENT_BYTES = 4 * 1024 * 1024;
  private static final Method INVOKE_CLEANER;
  private static final Object UNSAFE;

  static {
    Method cleaner = null;
    Object unsafe = null;
    try {
      Class<?> type = Class.forName("sun.misc.Unsafe");
      Field field = type.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      unsafe = field.get(null);
      cleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("mapped segments are unmapped by the garbage collector: {}", e.toString());
    }
    INVOKE_CLEANER = cleaner;
    UNSAFE = unsafe;
  }

  /** One message as a line: short names, since every acknowledged message is written once more here. */
  record Line(String c, long s, long a, String f, String n, String t, String k) {
    static Line of(RecordedMessage r) {
      ChatMessage m = r.message();
      return new Line(r.chatId(), m.seq(), JdbcRecordStore.micros(m.at()), m.from(), m.name(), m.text(), r.clientId());
    }

    RecordedMessage message() {
      return new RecordedMessage(c, new ChatMessage(s, f, n, t, JdbcRecordStore.instant(a)), k);
    }
  }

  /** A segment file mapped whole; {@code map}'s position is where the next line goes. */
  static final class Segment {
    private final Path path;
    private final MappedByteBuffer map;

    private Segment(Path path, MappedByteBuffer map) {
      this.path = path;
      this.map = map;
    }

    Path path() {
      return path;
    }
  }

  private final Path folder;
  /** Held while a node journals here, so that nobody else replays (and deletes) the files it writes. */
  private final FileChannel lockFile;
  private final FileLock lock;
  private Bytes buffer = new Bytes();
  private long lastNumber;
  private Segment current;
  private Segment spare;
  /** Segments no longer written to, oldest first. */
  private final List<Segment> full = new ArrayList<>();
  private boolean closed;

  private MessageFiles(Path folder, long lastNumber, FileChannel lockFile, FileLock lock) {
    this.folder = folder;
    this.lastNumber = lastNumber;
    this.lockFile = lockFile;
    this.lock = lock;
  }

  /** The folder of a SQLite record's pending messages. */
  public static Path folderFor(RecordSettings sqlite) {
    return Path.of(sqlite.url().substring("jdbc:sqlite:".length()) + ".pending-messages");
  }

  /**
   * Starts journaling in {@code folder}, after the segments already there (normally none: {@link #replay}
   * took them), with a first segment ready (blocking).
   */
  static MessageFiles open(Path folder) throws IOException {
    Files.createDirectories(folder);
    FileChannel lockFile = FileChannel.open(folder.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock lock = tryLock(lockFile);
      if (lock == null) {
        throw new IOException("another process journals messages in " + folder + " (is a node already running on "
            + "this database?)");
      }
      List<Path> left = segments(folder);
      MessageFiles files = new MessageFiles(folder, left.isEmpty() ? 0 : number(left.get(left.size() - 1)), lockFile, lock);
      files.current = files.prepare(SEGMENT_BYTES);
      return files;
    } catch (IOException | RuntimeException e) {
      lockFile.close();
      throw e;
    }
  }

  /** The lock, or null when another process (or another opening in this one) holds it. */
  private static FileLock tryLock(FileChannel lockFile) throws IOException {
    try {
      return lockFile.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  /**
   * Makes the next segment, at least {@code bytes} long: written with zeros (so its disk blocks exist),
   * mapped and loaded (blocking, on a worker). It is not written to before {@link #install}.
   */
  Segment prepare(int bytes) throws IOException {
    Path path = folder.resolve(PREFIX + (++lastNumber) + SUFFIX); // only one thread prepares
    int size = Math.max(SEGMENT_BYTES, bytes);
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
      for (long written = 0; written < size; ) {
        zeros.clear().limit((int) Math.min(zeros.capacity(), size - written));
        written += channel.write(zeros, written);
      }
      MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
      map.load();
      return new Segment(path, map);
    }
  }

  /** Whether a prepared segment waits for the current one to fill up. */
  boolean hasSpare() {
    return spare != null;
  }

  /** Keeps a prepared segment for when the current one is full (or as the current one if there is none). */
  void install(Segment segment) throws IOException {
    if (closed || (spare != null && spare.map.capacity() >= segment.map.capacity())) {
      discard(List.of(segment));
    } else {
      if (spare != null) { // made for a batch larger than a segment
        discard(List.of(spare));
      }
      spare = segment;
    }
  }

  /**
   * Copies the messages into the current segment (or the spare, when the current one is full): no
   * system call, nothing waits. Answers 0 when written, or else how many bytes a segment needs to take
   * them: then {@link #prepare} one that size, {@link #install} it, and append again.
   */
  int tryAppend(List<RecordedMessage> messages) throws IOException {
    if (closed) {
      throw new IOException("the message journal in " + folder + " is closed");
    }
    encode(messages);
    int size = buffer.size();
    if (current.map.remaining() < size) {
      if (spare == null || spare.map.remaining() < size) {
        return size;
      }
      full.add(current);
      current = spare;
      spare = null;
    }
    // every line but the last newline, then that: a line ends in a newline only once it is whole
    current.map.put(buffer.bytes(), 0, size - 1);
    VarHandle.releaseFence();
    current.map.put((byte) '\n');
    if (buffer.bytes().length > 1024 * 1024) { // a burst's buffer is not kept
      buffer = new Bytes();
    }
    return 0;
  }

  private void encode(List<RecordedMessage> messages) throws IOException {
    buffer.reset();
    // fields written by hand on one generator per batch: a mapper per message allocated more than
    // the rest of the message path (JFR, relay bench)
    try (JsonGenerator json = LINES.getFactory().createGenerator(buffer, JsonEncoding.UTF8)) {
      json.setRootValueSeparator(null);
      for (RecordedMessage r : messages) {
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
        json.writeRaw('\n');
      }
    }
  }

  /** The segments no longer written to; once their messages are in the database, {@link #discard} them. */
  List<Segment> takeFull() {
    List<Segment> taken = new ArrayList<>(full);
    full.clear();
    return taken;
  }

  /** Puts back segments taken by {@link #takeFull} whose messages did not reach the database. */
  void giveBack(List<Segment> segments) {
    full.addAll(0, segments);
  }

  /** Unmaps and deletes segments nothing writes to any more (blocking). */
  static void discard(List<Segment> segments) throws IOException {
    for (Segment segment : segments) {
      unmap(segment.map);
      Files.deleteIfExists(segment.path);
    }
  }

  /**
   * Stops journaling: with {@code allInDatabase} every segment is deleted, otherwise the written ones
   * stay for the next start's {@link #replay}. Releases the folder's lock.
   */
  void close(boolean allInDatabase) throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      List<Segment> written = new ArrayList<>(full);
      written.add(current);
      List<Segment> unused = spare == null ? List.of() : List.of(spare);
      discard(unused);
      if (allInDatabase) {
        discard(written);
      } else {
        written.forEach(s -> unmap(s.map));
      }
    } finally {
      lock.release();
      lockFile.close();
    }
  }

  @Override
  public void close() throws IOException {
    close(false);
  }

  private static void unmap(MappedByteBuffer map) {
    if (INVOKE_CLEANER != null) {
      try {
        INVOKE_CLEANER.invoke(UNSAFE, map);
      } catch (ReflectiveOperationException | RuntimeException e) {
        log.debug("a segment stays mapped until the garbage collector frees it: {}", e.toString());
      }
    }
  }

  /** A byte buffer whose array is copied from as it is. */
  private static final class Bytes extends ByteArrayOutputStream {
    Bytes() {
      super(16 * 1024);
    }

    byte[] bytes() {
      return buf;
    }
  }

  /**
   * The messages of a segment, in order. What follows the last line is zeros (never written). A last
   * line without its newline is a copy the process did not finish, so its message was never
   * acknowledged: it is skipped. Any other line that cannot be read is logged and skipped.
   */
  static List<RecordedMessage> read(Path segment) throws IOException {
    return readCounting(segment).messages();
  }

  /** A segment's messages and how many of its whole lines could not be read. */
  record Contents(List<RecordedMessage> messages, int unreadable) {}

  private static Contents readCounting(Path segment) throws IOException {
    byte[] bytes = Files.readAllBytes(segment);
    int written = 0;
    while (written < bytes.length && bytes[written] != 0) { // JSON escapes a NUL in text: a raw one is unwritten
      written++;
    }
    String text = new String(bytes, 0, written, StandardCharsets.UTF_8);
    List<RecordedMessage> messages = new ArrayList<>();
    int start = 0;
    int lineNumber = 0;
    int unreadable = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      lineNumber++;
      if (end < 0) {
        log.warn("{}: line {} was not written to its end (the process stopped during the copy); its message was"
            + " never acknowledged", segment, lineNumber);
        break;
      }
      String line = text.substring(start, end);
      start = end + 1;
      try {
        messages.add(LINES.readValue(line, Line.class).message());
      } catch (IOException | RuntimeException e) {
        log.error("{}: line {} cannot be read, skipped: {}", segment, lineNumber, e.getMessage());
        unreadable++;
      }
    }
    return new Contents(messages, unreadable);
  }

  /**
   * Puts the segments a stopped or killed node left in {@code folder} into the database, oldest first,
   * and deletes each once committed (one with unreadable lines is kept, renamed {@code .unreadable})
   * (blocking; run when the record is opened). Leaves them to a node that journals there now. How many
   * messages.
   */
  static int replay(Path folder, Connection c) throws IOException, SQLException {
    if (!Files.isDirectory(folder)) {
      return 0;
    }
    try (FileChannel lockFile = FileChannel.open(folder.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
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
    for (Path segment : segments(folder)) {
      Contents contents = readCounting(segment);
      List<RecordedMessage> messages = contents.messages();
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
