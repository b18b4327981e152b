package switchboard;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.slf4j.helpers.MessageFormatter;

/**
 * The log message ({@code %safemsg} in logback.xml) with every argument's control characters
 * escaped: arguments carry what users typed (guest names, usernames, queue names, addresses), and a
 * newline in one must not start a fake log line. The message pattern itself is Switchboard's own
 * text and is left as written.
 */
public final class SafeMessageConverter extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    Object[] args = event.getArgumentArray();
    if (args == null || args.length == 0) {
      return event.getFormattedMessage();
    }
    Object[] safe = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      safe[i] = args[i] == null || args[i] instanceof Number || args[i] instanceof Boolean ? args[i]
          : escape(String.valueOf(args[i]));
    }
    return MessageFormatter.basicArrayFormat(event.getMessage(), safe);
  }

  /** Control characters (and the Unicode line and paragraph separators) as visible escapes. */
  public static String escape(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean control = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029';
      if (control) {
        if (out == null) {
          out = new StringBuilder(text.length() + 16).append(text, 0, i);
        }
        switch (c) {
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          default -> out.append(String.format("\\u%04x", (int) c));
        }
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }
}
