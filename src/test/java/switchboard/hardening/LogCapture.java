package switchboard.hardening;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * Everything logged while it is open, as the log lines would read (message, arguments and
 * stack traces included). Optionally lowers the root level, so debug lines are checked too.
 */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final ConcurrentLinkedQueue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Level previous;

  private LogCapture(Level level) {
    previous = root.getLevel();
    if (level != null) {
      root.setLevel(level);
    }
    setName("hardening-capture");
    setContext(root.getLoggerContext());
    start();
    root.addAppender(this);
  }

  /** Captures at the configured levels. */
  static LogCapture capture() {
    return new LogCapture(null);
  }

  /** Captures with the root logger lowered to {@code level} until closed. */
  static LogCapture atLevel(Level level) {
    return new LogCapture(level);
  }

  @Override
  protected void append(ILoggingEvent event) {
    event.prepareForDeferredProcessing();
    events.add(event);
  }

  List<String> lines() {
    List<String> out = new ArrayList<>();
    for (ILoggingEvent e : events) {
      StringBuilder line = new StringBuilder(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage());
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
      }
      out.add(line.toString());
    }
    return out;
  }

  /** Lines at ERROR: an internal failure the client may not have seen as one. */
  List<String> errors() {
    return lines().stream().filter(l -> l.startsWith("ERROR")).toList();
  }

  @Override
  public void close() {
    root.detachAppender(this);
    root.setLevel(previous);
    stop();
  }
}
