package switchboard;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;

/**
 * The console's encoder in logback.xml: text lines with {@link #setPattern the pattern}, or JSON
 * lines ({@link JsonLogEncoder}) when {@value #VARIABLE} (a system property, else the environment)
 * says {@code json}. One appender whose encoder is chosen at start, rather than one appender per
 * format, so logback has no unused appender to warn about. Other values are refused by the node at
 * start (ConfigLoader), which names the variable.
 */
public final class LogFormatEncoder extends EncoderBase<ILoggingEvent> {
  public static final String VARIABLE = "SWITCHBOARD_LOG_FORMAT";

  private String pattern;
  private Encoder<ILoggingEvent> chosen;

  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  /** Whether the process was asked for JSON logs. */
  static boolean jsonWanted() {
    String value = System.getProperty(VARIABLE);
    if (value == null || value.isBlank()) {
      value = System.getenv(VARIABLE);
    }
    return value != null && value.strip().equals("json");
  }

  @Override
  public void start() {
    if (jsonWanted()) {
      chosen = new JsonLogEncoder();
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(pattern);
      text.setCharset(StandardCharsets.UTF_8);
      chosen = text;
    }
    chosen.setContext(getContext());
    chosen.start();
    super.start();
  }

  @Override
  public void stop() {
    if (chosen != null) {
      chosen.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return chosen.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return chosen.encode(event);
  }

  @Override
  public byte[] footerBytes() {
    return chosen.footerBytes();
  }
}
