package switchboard.config;

import java.util.List;
import switchboard.limits.ClientAddress;

/**
 * Who the node trusts at its edge.
 *
 * @param trustedProxies   peers (addresses or ranges) whose {@code X-Forwarded-For} names the client
 *                         ({@code http.trustedProxies}; default loopback and the private ranges)
 * @param metricsToken     when set, {@code /metrics} needs {@code Authorization: Bearer} with it
 *                         ({@code metrics.token} or {@code SWITCHBOARD_METRICS_TOKEN})
 * @param metricsAllowFrom when not empty, {@code /metrics} answers only peers in these ranges
 *                         ({@code metrics.allowFrom}; the peer itself, never a forwarded address)
 * @param accessLog        one line per HTTP request on the logger {@code switchboard.access}
 *                         ({@code http.accessLog} or {@code SWITCHBOARD_ACCESS_LOG}; default off)
 */
public record AccessSettings(List<String> trustedProxies, String metricsToken, List<String> metricsAllowFrom,
    boolean accessLog) {

  public AccessSettings {
    trustedProxies = List.copyOf(trustedProxies);
    metricsAllowFrom = List.copyOf(metricsAllowFrom);
  }

  public static AccessSettings defaults() {
    return new AccessSettings(ClientAddress.DEFAULT_TRUSTED_PROXIES, null, List.of(), false);
  }

  public AccessSettings withMetricsToken(String token) {
    return new AccessSettings(trustedProxies, token, metricsAllowFrom, accessLog);
  }

  public AccessSettings withAccessLog(boolean on) {
    return new AccessSettings(trustedProxies, metricsToken, metricsAllowFrom, on);
  }
}
