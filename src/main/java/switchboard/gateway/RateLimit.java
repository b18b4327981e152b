package switchboard.gateway;

/** At most {@code limit} events per window per socket (fixed windows: cheap, and enough against floods). */
final class RateLimit {
  private final int limit;
  private final long windowMillis;
  private long windowStart;
  private int count;

  RateLimit(int limit, long windowMillis) {
    this.limit = limit;
    this.windowMillis = windowMillis;
  }

  boolean tryAcquire(long nowMillis) {
    if (nowMillis - windowStart >= windowMillis) {
      windowStart = nowMillis;
      count = 0;
    }
    return ++count <= limit;
  }
}
