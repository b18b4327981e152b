package switchboard.http;

import io.vertx.ext.web.RoutingContext;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;

/** Query parameters the report and search routes share, each refused with its name when it is bad. */
final class QueryParams {
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private QueryParams() {}

  /** {@code ?tz=}, UTC when absent. */
  static ZoneId zone(RoutingContext rc) {
    try {
      return ZoneId.of(param(rc, "tz", "UTC"));
    } catch (DateTimeException e) {
      throw new ClientError(ErrorCode.bad_request, "tz: unknown time zone");
    }
  }

  /** A date (midnight in {@code zone}) or an instant. */
  static Instant time(RoutingContext rc, String name, ZoneId zone) {
    String value = rc.queryParams().get(name);
    Instant time;
    try {
      time = value.length() == 10 ? LocalDate.parse(value).atStartOfDay(zone).toInstant() : Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new ClientError(ErrorCode.bad_request, name + ": a date like 2026-11-01 or an instant like 2026-11-01T09:00:00Z");
    }
    // far-off instants overflow the range arithmetic and the store's millisecond scores
    if (time.isBefore(Instant.EPOCH) || time.isAfter(LATEST)) {
      throw new ClientError(ErrorCode.bad_request, name + ": between 1970 and 9999");
    }
    return time;
  }

  /** A whole number from {@code min} to {@code max}, or {@code fallback} when absent. */
  static Integer integer(RoutingContext rc, String name, Integer fallback, int min, int max) {
    String value = rc.queryParams().get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value.strip());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new ClientError(ErrorCode.bad_request, name + ": a whole number from " + min + " to " + max);
  }

  static String param(RoutingContext rc, String name, String fallback) {
    String value = rc.queryParams().get(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
