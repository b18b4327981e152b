package switchboard.http;

import static switchboard.stats.StatsReport.nz;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import switchboard.auth.OperatorAuth;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.domain.Directory;
import switchboard.domain.OperatorConfig;
import switchboard.domain.Outcome;
import switchboard.record.ArchivePage;
import switchboard.record.ArchiveQuery;
import switchboard.record.RecordStore;
import switchboard.stats.ChatFigures;
import switchboard.stats.Csv;

/**
 * The transcript archive for staff (issue 16): {@code GET /api/v1/archive} searches ended chats
 * by date, queue, operator, rating, resolution and words; {@code /api/v1/archive.csv} exports what
 * matches. Operators see the chats they held, admins all; one chat opens with {@code GET
 * /api/v1/chats/{id}}.
 */
final class ArchiveRoutes {
  static final int PAGE = 50;
  static final int LARGEST_PAGE = 200;
  static final int LARGEST_EXPORT = 10_000;
  private static final List<String> CSV_HEADER = List.of("chat", "created_at", "ended_at", "state", "recorded_queue",
      "answered_queue", "operator", "guest_name", "wait_s", "length_s", "rating", "rating_comment", "resolution");

  private final Directory directory;
  private final RecordStore record;
  private final OperatorAuth auth;
  private final Clock clock;

  ArchiveRoutes(Directory directory, RecordStore record, OperatorAuth auth, Clock clock) {
    this.directory = directory;
    this.record = record;
    this.auth = auth;
    this.clock = clock;
  }

  void mount(Router router) {
    router.get("/api/v1/archive").handler(rc -> auth.verify(Http.bearer(rc))
        .map(op -> query(rc, op, false))
        .compose(q -> record.searchArchive(q).map(page -> json(page, q)))
        .onSuccess(body -> Http.json(rc, 200, body))
        .onFailure(rc::fail));
    // a link cannot carry a header: the export also takes ?token=
    router.get("/api/v1/archive.csv").handler(rc -> caller(rc)
        .compose(op -> record.searchArchive(query(rc, op, true)))
        .onSuccess(page -> rc.response().putHeader("Content-Type", "text/csv; charset=utf-8")
            .putHeader("Content-Disposition", "attachment; filename=\"switchboard-archive.csv\"")
            .end(Csv.write(CSV_HEADER, rows(page))))
        .onFailure(rc::fail));
  }

  private Future<OperatorConfig> caller(RoutingContext rc) {
    String token = rc.queryParams().get("token");
    return auth.verify(token != null && rc.request().getHeader("Authorization") == null ? token : Http.bearer(rc));
  }

  private ArchiveQuery query(RoutingContext rc, OperatorConfig op, boolean export) {
    ZoneId zone = QueryParams.zone(rc);
    Instant to = rc.queryParams().get("to") == null ? clock.instant() : QueryParams.time(rc, "to", zone);
    Instant from = rc.queryParams().get("from") == null ? to.minus(Duration.ofDays(30))
        : QueryParams.time(rc, "from", zone);
    if (!from.isBefore(to)) {
      throw new ClientError(ErrorCode.bad_request, "from: must be before to");
    }
    String queue = QueryParams.param(rc, "queue", null);
    if (queue != null && directory.queue(queue).isEmpty()) {
      throw new ClientError(ErrorCode.unknown_queue, "queue: no queue named " + queue);
    }
    String operator = QueryParams.param(rc, "operator", null);
    if (!op.isAdmin()) {
      if (operator != null && !operator.equals(op.id())) {
        throw new ClientError(ErrorCode.forbidden, "operator: you see the chats you held; admins see all");
      }
      operator = op.id();
    }
    String resolution = QueryParams.param(rc, "resolution", null);
    if (resolution != null && !Outcome.RESOLUTIONS.contains(resolution)) {
      throw new ClientError(ErrorCode.bad_request, "resolution: one of " + String.join(", ", Outcome.RESOLUTIONS));
    }
    Integer rating = QueryParams.integer(rc, "rating", null, Outcome.LOWEST_RATING, Outcome.HIGHEST_RATING);
    String words = QueryParams.param(rc, "q", null);
    if (words != null && words.length() > 500) {
      throw new ClientError(ErrorCode.bad_request, "q: at most 500 characters");
    }
    int limit = export ? LARGEST_EXPORT : QueryParams.integer(rc, "limit", PAGE, 1, LARGEST_PAGE);
    int offset = export ? 0 : QueryParams.integer(rc, "offset", 0, 0, 1_000_000);
    return new ArchiveQuery(from, to, queue, operator, rating, resolution, ArchiveQuery.wordsOf(words), limit, offset);
  }

  private JsonObject json(ArchivePage page, ArchiveQuery q) {
    JsonArray chats = new JsonArray();
    for (ChatFigures c : page.chats()) {
      chats.add(new JsonObject().put("id", c.id()).put("createdAt", c.createdAt().toString())
          .put("endedAt", c.endedAt() == null ? null : c.endedAt().toString()).put("state", c.state().name())
          .put("queue", c.recordedQueue()).put("answeredQueue", c.answeredQueue()).put("operator", c.operatorId())
          .put("operatorName", c.operatorId() == null ? null
              : directory.operator(c.operatorId()).map(OperatorConfig::name).orElse(c.operatorId()))
          .put("guest", c.guestName()).put("channel", c.channel()).put("waitSeconds", c.waitSeconds())
          .put("lengthSeconds", c.lengthSeconds()).put("rating", c.rating()).put("ratingComment", c.ratingComment())
          .put("resolution", c.resolution()));
    }
    return new JsonObject().put("chats", chats).put("total", page.total()).put("totalCapped", page.totalCapped())
        .put("limit", q.limit()).put("offset", q.offset());
  }

  private static List<List<Object>> rows(ArchivePage page) {
    List<List<Object>> rows = new ArrayList<>();
    for (ChatFigures c : page.chats()) {
      rows.add(List.of(c.id(), c.createdAt().toString(), c.endedAt() == null ? "" : c.endedAt().toString(),
          c.state().name(), c.recordedQueue(), nz(c.answeredQueue()), nz(c.operatorId()), nz(c.guestName()),
          nz(c.waitSeconds()), nz(c.lengthSeconds()), nz(c.rating()), nz(c.ratingComment()), nz(c.resolution())));
    }
    return rows;
  }
}
