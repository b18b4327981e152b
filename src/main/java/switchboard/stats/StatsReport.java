package switchboard.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import switchboard.domain.ChatState;
import switchboard.domain.Directory;
import switchboard.domain.OfflineMessage;
import switchboard.domain.Outcome;

/**
 * Stats from per-chat records (DESIGN §2 rule 5): each chat counts on the queue the guest
 * asked for (recorded queue) whoever answered, and answered chats also on the queue that
 * answered them, so reports can show both. Pure: the same records give the same figures
 * on every node.
 */
public final class StatsReport {
  public enum GroupBy { day, hour }

  /** The figures of one group of chats. */
  public static final class Metrics {
    int asked;
    int answered;
    int abandoned;
    int missed;
    int offline;
    int rolledOver;
    final Map<Integer, Integer> rolloverDepth = new TreeMap<>();
    final List<Long> waits = new ArrayList<>();
    final List<Long> lengths = new ArrayList<>();
    int rated;
    long ratingSum;
    /** Chats per resolution code, every code present (0 when none). */
    final Map<String, Integer> resolutions = new LinkedHashMap<>();

    Metrics() {
      Outcome.RESOLUTIONS.forEach(code -> resolutions.put(code, 0));
    }

    void add(ChatFigures chat, Directory directory) {
      asked++;
      if (chat.state() == ChatState.abandoned) {
        abandoned++;
      } else if (chat.state() == ChatState.missed) {
        missed++;
      }
      if (chat.acceptedAt() != null) {
        answered++;
        waits.add(chat.waitSeconds());
        if (chat.lengthSeconds() != null) {
          lengths.add(chat.lengthSeconds());
        }
      }
      if (chat.rating() != null) {
        rated++;
        ratingSum += chat.rating();
      }
      if (chat.resolution() != null) {
        resolutions.merge(chat.resolution(), 1, Integer::sum);
      }
      int depth = depth(chat, directory);
      if (depth > 0) {
        rolledOver++;
        rolloverDepth.merge(depth, 1, Integer::sum);
      }
    }

    public JsonObject json() {
      JsonObject depth = new JsonObject();
      rolloverDepth.forEach((d, n) -> depth.put(Integer.toString(d), n));
      return new JsonObject().put("asked", asked).put("answered", answered).put("abandoned", abandoned)
          .put("missed", missed).put("offline", offline).put("rolledOver", rolledOver).put("rolloverDepth", depth)
          .put("waitMedianSeconds", percentile(waits, 50)).put("waitP90Seconds", percentile(waits, 90))
          .put("lengthMedianSeconds", percentile(lengths, 50))
          .put("rated", rated).put("ratingAverage", ratingAverage())
          .put("resolutions", new JsonObject(new LinkedHashMap<>(resolutions)));
    }

    /** The mean rating to one decimal; null when nobody rated. */
    Double ratingAverage() {
      return rated == 0 ? null : Math.round(ratingSum * 10.0 / rated) / 10.0;
    }

    List<Object> csvValues() {
      List<Object> values = new ArrayList<>(List.of(asked, answered, abandoned, missed, offline, rolledOver,
          nz(percentile(waits, 50)), nz(percentile(waits, 90)), nz(percentile(lengths, 50)), rated,
          nz(ratingAverage())));
      values.addAll(resolutions.values());
      return values;
    }
  }

  /**
   * How far down the recorded queue's chain the chat went: the answering queue's place in
   * it, or for an unanswered chat the farthest queue it rang on (0 = never left its queue).
   */
  static int depth(ChatFigures chat, Directory directory) {
    List<String> chain = directory.chain(chat.recordedQueue());
    if (chat.answeredQueue() != null) {
      return Math.max(0, chain.indexOf(chat.answeredQueue()));
    }
    return chat.offeredQueues().stream().mapToInt(chain::indexOf).max().orElse(0);
  }

  /** Nearest-rank percentile in whole seconds; null without data. */
  static Long percentile(List<Long> values, int p) {
    if (values.isEmpty()) {
      return null;
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  /** Empty instead of null, for a CSV cell. */
  public static Object nz(Object value) {
    return value == null ? "" : value;
  }

  private final Metrics totals = new Metrics();
  private final Map<String, Metrics> byRecorded = new TreeMap<>();
  private final Map<String, Metrics> byAnswered = new TreeMap<>();
  private final Map<String, Metrics> byOperator = new TreeMap<>();
  private final Map<String, Metrics> byChannel = new TreeMap<>();
  private final Map<String, Map<String, Metrics>> series = new TreeMap<>();
  private final List<ChatFigures> chats;
  private final Directory directory;
  private final DateTimeFormatter periodFormat;
  private final ZoneId zone;

  public StatsReport(List<ChatFigures> chats, List<OfflineMessage> offline, Directory directory, GroupBy groupBy, ZoneId zone) {
    this.chats = chats;
    this.directory = directory;
    this.zone = zone;
    this.periodFormat = DateTimeFormatter.ofPattern(groupBy == GroupBy.day ? "yyyy-MM-dd" : "yyyy-MM-dd'T'HH");
    for (ChatFigures chat : chats) {
      totals.add(chat, directory);
      group(byRecorded, chat.recordedQueue()).add(chat, directory);
      group(byChannel, chat.channel()).add(chat, directory);
      group(group(series, period(chat.createdAt()), k -> new TreeMap<>()), chat.recordedQueue()).add(chat, directory);
      if (chat.acceptedAt() != null) {
        if (chat.answeredQueue() != null) {
          group(byAnswered, chat.answeredQueue()).add(chat, directory);
        }
        if (chat.operatorId() != null) {
          group(byOperator, chat.operatorId()).add(chat, directory);
        }
      }
    }
    for (OfflineMessage m : offline) {
      totals.offline++;
      group(byRecorded, m.queue()).offline++;
      group(group(series, period(m.createdAt()), k -> new TreeMap<>()), m.queue()).offline++;
    }
  }

  private String period(Instant at) {
    return periodFormat.format(at.atZone(zone));
  }

  private static Metrics group(Map<String, Metrics> groups, String key) {
    return groups.computeIfAbsent(key == null ? "" : key, k -> new Metrics());
  }

  private static <V> V group(Map<String, V> groups, String key, Function<String, V> make) {
    return groups.computeIfAbsent(key, make);
  }

  public JsonObject json() {
    JsonArray recorded = new JsonArray();
    byRecorded.forEach((q, m) -> recorded.add(new JsonObject().put("queue", q).put("metrics", m.json())));
    JsonArray answered = new JsonArray();
    byAnswered.forEach((q, m) -> answered.add(new JsonObject().put("queue", q).put("metrics", m.json())));
    JsonArray operators = new JsonArray();
    byOperator.forEach((id, m) -> operators.add(new JsonObject().put("operator", id)
        .put("name", directory.operator(id).map(o -> o.name()).orElse(id))
        .put("answered", m.answered).put("lengthMedianSeconds", percentile(m.lengths, 50))));
    JsonArray channels = new JsonArray();
    byChannel.forEach((c, m) -> channels.add(new JsonObject().put("channel", c).put("metrics", m.json())));
    JsonArray periods = new JsonArray();
    series.forEach((period, queues) -> queues.forEach((q, m) ->
        periods.add(new JsonObject().put("period", period).put("queue", q).put("metrics", m.json()))));
    return new JsonObject().put("totals", totals.json()).put("byRecordedQueue", recorded)
        .put("byAnsweredQueue", answered).put("byOperator", operators).put("byChannel", channels)
        .put("series", periods);
  }

  public static final List<String> CSV_HEADER = csvHeader();

  private static List<String> csvHeader() {
    List<String> header = new ArrayList<>(List.of("kind", "period", "queue", "operator", "asked", "answered",
        "abandoned", "missed", "offline", "rolled_over", "wait_median_s", "wait_p90_s", "length_median_s", "rated",
        "rating_avg"));
    Outcome.RESOLUTIONS.forEach(code -> header.add("resolved_" + code.replace('-', '_')));
    return List.copyOf(header);
  }

  /** One row per period and recorded queue, then totals per answering queue and per operator. */
  public List<List<Object>> csvRows() {
    List<List<Object>> rows = new ArrayList<>();
    series.forEach((period, queues) -> queues.forEach((q, m) -> rows.add(row("recorded", period, q, "", m))));
    byAnswered.forEach((q, m) -> rows.add(row("answered", "", q, "", m)));
    byOperator.forEach((id, m) -> rows.add(row("operator", "", "", directory.operator(id).map(o -> o.name()).orElse(id), m)));
    return rows;
  }

  private static List<Object> row(String kind, String period, String queue, String operator, Metrics m) {
    List<Object> row = new ArrayList<>(List.of(kind, period, queue, operator));
    row.addAll(m.csvValues());
    return row;
  }

  public static final List<String> CHAT_CSV_HEADER = List.of("chat", "created_at", "recorded_queue",
      "answered_queue", "state", "channel", "operator", "guest_name", "wait_s", "length_s", "rating", "rating_comment",
      "resolution");

  /** One row per chat, for a spreadsheet; guest names go through {@link Csv}'s formula guard. */
  public List<List<Object>> chatRows() {
    List<List<Object>> rows = new ArrayList<>();
    for (ChatFigures c : chats) {
      rows.add(List.of(c.id(), c.createdAt().toString(), c.recordedQueue(), nz(c.answeredQueue()), c.state().name(),
          nz(c.channel()), nz(c.operatorId()), nz(c.guestName()),
          nz(c.waitSeconds()), nz(c.lengthSeconds()),
          nz(c.rating()), nz(c.ratingComment()), nz(c.resolution())));
    }
    return rows;
  }
}
