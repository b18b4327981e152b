package switchboard;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * JSON logs ({@code SWITCHBOARD_LOG_FORMAT=json}, chosen by {@link LogFormatEncoder}): one JSON object per line, for log shippers
 * (Loki, Elasticsearch, CloudWatch, journald's JSON output) to read without a parser of their own.
 * Fields: {@code time} (ISO-8601, UTC), {@code level}, {@code node}, {@code logger},
 * {@code thread}, {@code message} (formatted), {@code error} (the stack trace, when there is one),
 * and the event's key-value pairs as fields of their own (the access log's {@code client},
 * {@code method}, {@code path}, {@code status}, {@code bytes}, {@code ms}, {@code agent}). JSON
 * escaping keeps what users typed inside its string: no forged lines.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {
  private static final byte[] NONE = new byte[0];
  private static final Set<String> OWN_FIELDS = Set.of("time", "level", "node", "logger", "thread", "message", "error");
  private final JsonFactory json = new JsonFactory();

  @Override
  public byte[] headerBytes() {
    return NONE;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = json.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      g.writeStringField("level", event.getLevel().toString());
      g.writeStringField("node", NodeIdConverter.current());
      g.writeStringField("logger", event.getLoggerName());
      g.writeStringField("thread", event.getThreadName());
      g.writeStringField("message", event.getFormattedMessage());
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        g.writeStringField("error", ThrowableProxyUtil.asString(thrown));
      }
      if (event.getKeyValuePairs() != null) {
        for (KeyValuePair pair : event.getKeyValuePairs()) {
          if (pair.key == null || OWN_FIELDS.contains(pair.key)) {
            continue;
          }
          if (pair.value instanceof Number n) {
            g.writeFieldName(pair.key);
            g.writeNumber(n.toString());
          } else {
            g.writeStringField(pair.key, String.valueOf(pair.value));
          }
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    out.write('\n');
    return out.toByteArray();
  }

  @Override
  public byte[] footerBytes() {
    return NONE;
  }
}
