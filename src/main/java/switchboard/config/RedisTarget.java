package switchboard.config;

import java.util.List;
import java.util.Objects;

/**
 * Which Redis holds the hot state: one server named by its URL, or the primary of a group that
 * Redis Sentinel watches (then each new connection asks a sentinel where the primary is now, so
 * a failover is followed). Sentinel URLs may carry the password; it is used for the sentinels
 * and for the primary they point at.
 *
 * @param url        {@code redis://…} or {@code rediss://…}; null in Sentinel mode
 * @param sentinels  the sentinels' URLs; empty for one server
 * @param masterName the group's name in the sentinels' {@code sentinel monitor} line
 */
public record RedisTarget(String url, List<String> sentinels, String masterName) {
  public static final String DEFAULT_MASTER_NAME = "mymaster";

  public RedisTarget {
    sentinels = sentinels == null ? List.of() : List.copyOf(sentinels);
    if (url == null == sentinels.isEmpty()) {
      throw new IllegalArgumentException("a Redis target is one URL or a list of sentinels");
    }
    masterName = sentinels.isEmpty() ? null : Objects.requireNonNullElse(masterName, DEFAULT_MASTER_NAME);
  }

  /** One Redis server. */
  public static RedisTarget single(String url) {
    return new RedisTarget(Objects.requireNonNull(url, "url"), List.of(), null);
  }

  /** The primary of the group {@code masterName} that these sentinels watch. */
  public static RedisTarget sentinels(List<String> sentinels, String masterName) {
    return new RedisTarget(null, sentinels, masterName);
  }

  public boolean viaSentinels() {
    return !sentinels.isEmpty();
  }

  /** For logs: where it is, passwords left out. */
  public String describe() {
    if (!viaSentinels()) {
      return redacted(url);
    }
    return "primary '" + masterName + "' via sentinels "
        + String.join(", ", sentinels.stream().map(RedisTarget::redacted).toList());
  }

  private static String redacted(String url) {
    int at = url.lastIndexOf('@');
    return at < 0 ? url : url.substring(0, url.indexOf("://") + 3) + "…" + url.substring(at);
  }
}
