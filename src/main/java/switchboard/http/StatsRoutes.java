package switchboard.http;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import switchboard.auth.OperatorAuth;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.domain.OperatorConfig;
import switchboard.domain.Directory;
import switchboard.domain.OfflineMessage;
import switchboard.stats.ChatFigures;
import switchboard.stats.Csv;
import switchboard.stats.StatsReport;
import switchboard.record.ChatHistory;
import switchboard.record.RecordStore;

/**
 * {@code GET /api/v1/stats} and {@code /api/v1/stats.csv} (admins): per queue and per day or
 * hour, over a time range, optionally for one recorded queue.
 */
final class StatsRoutes {
  private static final Duration LONGEST_RANGE = Duration.ofDays(400);

  private final Directory directory;
  private final ChatHistory store;
  private final RecordStore record;
  private final OperatorAuth auth;
  private final Clock clock;

  private record Query(Instant from, Instant to, String queue, StatsReport.GroupBy groupBy, ZoneId zone) {}

  StatsRoutes(Directory directory, ChatHistory store, RecordStore record, OperatorAuth auth, Clock clock) {
    this.record = record;
    this.directory = directory;
    this.store = store;
    this.auth = auth;
    this.clock = clock;
  }

  void mount(Router router) {
    router.get("/api/v1/stats").handler(rc -> {
      Query q = query(rc);
      // only the header: a token in a URL ends up in proxy logs and browser history (the CSV link is the exception)
      AdminRoutes.requireAdmin(auth, rc).compose(op -> report(q)).onSuccess(report -> Http.json(rc, 200, report.json()
          .put("from", q.from().toString()).put("to", q.to().toString()).put("queue", q.queue())
          .put("groupBy", q.groupBy().name()).put("tz", q.zone().getId())))
          .onFailure(rc::fail);
    });
    router.get("/api/v1/stats.csv").handler(rc -> {
      Query q = query(rc);
      boolean perChat = "chats".equals(rc.queryParams().get("rows"));
      csvAdmin(rc).compose(op -> report(q)).onSuccess(report -> {
        String csv = perChat ? Csv.write(StatsReport.CHAT_CSV_HEADER, report.chatRows())
            : Csv.write(StatsReport.CSV_HEADER, report.csvRows());
        rc.response().putHeader("Content-Type", "text/csv; charset=utf-8")
            .putHeader("Content-Disposition", "attachment; filename=\"switchboard-stats.csv\"")
            .end(csv);
      }).onFailure(rc::fail);
    });
  }

  /** A link cannot carry a header, so the CSV also takes {@code ?token=}; both need an admin. */
  private Future<OperatorConfig> csvAdmin(RoutingContext rc) {
    String token = rc.queryParams().get("token");
    if (token != null && rc.request().getHeader("Authorization") == null) {
      return auth.verify(token).map(op -> {
        if (!op.isAdmin()) {
          throw new ClientError(ErrorCode.forbidden, "admins only");
        }
        return op;
      });
    }
    return AdminRoutes.requireAdmin(auth, rc);
  }

  private Future<StatsReport> report(Query q) {
    return Future.all(store.chatFigures(q.from(), q.to(), q.queue()), record.offlineMessages()).map(all -> {
      List<ChatFigures> chats = all.resultAt(0);
      List<OfflineMessage> offline = all.<List<OfflineMessage>>resultAt(1).stream()
          .filter(m -> !m.createdAt().isBefore(q.from()) && m.createdAt().isBefore(q.to()))
          .filter(m -> q.queue() == null || q.queue().equals(m.queue())).toList();
      return new StatsReport(chats, offline, directory, q.groupBy(), q.zone());
    });
  }

  private Query query(RoutingContext rc) {
    ZoneId zone = QueryParams.zone(rc);
    Instant to = rc.queryParams().get("to") == null ? clock.instant() : QueryParams.time(rc, "to", zone);
    Instant from = rc.queryParams().get("from") == null ? to.minus(Duration.ofDays(7)) : QueryParams.time(rc, "from", zone);
    if (!from.isBefore(to)) {
      throw new ClientError(ErrorCode.bad_request, "from: must be before to");
    }
    if (Duration.between(from, to).compareTo(LONGEST_RANGE) > 0) {
      throw new ClientError(ErrorCode.bad_request, "from: at most " + LONGEST_RANGE.toDays() + " days at once");
    }
    String queue = rc.queryParams().get("queue");
    if (queue != null && !queue.isBlank() && directory.queue(queue).isEmpty()) {
      throw new ClientError(ErrorCode.unknown_queue, "queue: no queue named " + queue);
    }
    StatsReport.GroupBy groupBy;
    try {
      groupBy = StatsReport.GroupBy.valueOf(QueryParams.param(rc, "groupBy", "day"));
    } catch (IllegalArgumentException e) {
      throw new ClientError(ErrorCode.bad_request, "groupBy: day or hour");
    }
    return new Query(from, to, queue == null || queue.isBlank() ? null : queue, groupBy, zone);
  }
}
