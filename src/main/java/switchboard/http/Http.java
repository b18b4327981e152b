package switchboard.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;

/** Small helpers shared by the API routes: strict body reading, bearer tokens, JSON answers. */
final class Http {
  private Http() {}

  static JsonObject jsonBody(RoutingContext rc) {
    JsonObject body;
    try {
      body = rc.body().asJsonObject();
    } catch (RuntimeException e) {
      throw new ClientError(ErrorCode.bad_request, "the body is not a JSON object");
    }
    if (body == null) {
      throw new ClientError(ErrorCode.bad_request, "send a JSON object");
    }
    return body;
  }

  /** A string field, trimmed; a missing required one, a wrong type or an over-long one is a 400 naming it. */
  static String string(JsonObject body, String field, int maxLength, boolean required) {
    Object value = body.getValue(field);
    if (value == null || (value instanceof String s && s.isBlank())) {
      if (required) {
        throw new ClientError(ErrorCode.bad_request, field + ": required");
      }
      return null;
    }
    if (!(value instanceof String s)) {
      throw new ClientError(ErrorCode.bad_request, field + ": must be a string");
    }
    if (s.length() > maxLength) {
      throw new ClientError(ErrorCode.too_large, field + ": at most " + maxLength + " characters");
    }
    return s.strip();
  }

  static String bearer(RoutingContext rc) {
    String header = rc.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ClientError(ErrorCode.unauthorized, "sign in: send Authorization: Bearer TOKEN");
    }
    return header.substring(7).trim();
  }

  static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
