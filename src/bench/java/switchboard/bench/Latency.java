package switchboard.bench;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** Latencies in microseconds, recorded from any thread (HdrHistogram {@link Recorder}). */
final class Latency {
  private final Recorder recorder = new Recorder(3);

  void recordNanos(long nanos) {
    recorder.recordValue(Math.max(1, nanos / 1000));
  }

  /** Everything recorded so far; the recorder starts empty again. */
  Histogram take() {
    return recorder.getIntervalHistogram();
  }

  /** count, mean, p50, p90, p99, p99.9, max, in milliseconds. */
  static JsonObject summary(Histogram h) {
    JsonObject s = new JsonObject().put("count", h.getTotalCount());
    if (h.getTotalCount() == 0) {
      return s;
    }
    return s.put("meanMs", ms(h.getMean()))
        .put("p50Ms", ms(h.getValueAtPercentile(50)))
        .put("p90Ms", ms(h.getValueAtPercentile(90)))
        .put("p99Ms", ms(h.getValueAtPercentile(99)))
        .put("p999Ms", ms(h.getValueAtPercentile(99.9)))
        .put("maxMs", ms(h.getMaxValue()));
  }

  private static double ms(double micros) {
    return Math.round(micros) / 1000.0;
  }

  /** "p50 / p99 / p99.9 / max" of a summary, for tables. */
  static String cells(JsonObject s) {
    if (s.getLong("count", 0L) == 0) {
      return "– | – | – | –";
    }
    return fmt(s.getDouble("p50Ms")) + " | " + fmt(s.getDouble("p99Ms")) + " | " + fmt(s.getDouble("p999Ms"))
        + " | " + fmt(s.getDouble("maxMs"));
  }

  static String fmt(double ms) {
    if (ms >= 100) {
      return String.valueOf(Math.round(ms));
    }
    if (ms >= 10) {
      return String.format("%.1f", ms);
    }
    return String.format("%.2f", ms);
  }
}
