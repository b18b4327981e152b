package switchboard.bus;

/** The error codes of the wire protocol (DESIGN §3), with the HTTP status each maps to. */
public enum ErrorCode {
  bad_request(400), unknown_queue(404), queue_unavailable(409), not_found(404), already_taken(409),
  forbidden(403), unauthorized(401), rate_limited(429), too_large(413),
  /** The server could not do it just now (its shared state is unreachable): retry. */
  unavailable(503);

  public final int httpStatus;

  ErrorCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  /**
   * Whether the client's frame was at fault (malformed, not allowed, too much): such refusals count
   * against a socket's budget. Lost races ({@code already_taken}, {@code queue_unavailable}) and the
   * server's own trouble ({@code unavailable}) are normal outcomes, always answered, never counted.
   */
  public boolean blamesClient() {
    return this != already_taken && this != queue_unavailable && this != unavailable;
  }
}
