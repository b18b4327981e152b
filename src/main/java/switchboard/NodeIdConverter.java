package switchboard;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Puts the node id in every log line ({@code %node} in logback.xml), so the logs of
 * several nodes can be read together. Set once when the node starts.
 */
public final class NodeIdConverter extends ClassicConverter {
  private static volatile String nodeId = "-";

  public static void set(String id) {
    nodeId = id;
  }

  /** The node id set at start ("-" before). */
  public static String current() {
    return nodeId;
  }

  @Override
  public String convert(ILoggingEvent event) {
    return nodeId;
  }
}
