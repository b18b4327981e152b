package switchboard.store;

import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import switchboard.config.RedisTarget;

/** Redis client options for a {@link RedisTarget}, shared by the state store and the event relay. */
public final class RedisClientOptions {
  private RedisClientOptions() {}

  /**
   * Options for a pool of {@code poolSize} connections with short connect timeouts, so a new
   * attempt after a failure answers quickly. In Sentinel mode every new connection asks a
   * sentinel for the current primary, and connections are moved when the sentinels announce a
   * new one (auto failover), so writes never go to a demoted primary for long.
   */
  public static RedisOptions of(RedisTarget target, int poolSize, long connectTimeoutMs) {
    RedisOptions options = new RedisOptions()
        .setMaxPoolSize(poolSize)
        .setMaxPoolWaiting(4096)
        .setMaxWaitingHandlers(4096);
    if (target.viaSentinels()) {
      options.setType(RedisClientType.SENTINEL)
          .setMasterName(target.masterName())
          .setRole(RedisRole.MASTER)
          .setAutoFailover(true);
      target.sentinels().forEach(options::addConnectionString);
    } else {
      options.setConnectionString(target.url());
    }
    options.getNetClientOptions()
        .setConnectTimeout((int) connectTimeoutMs)
        .setTcpKeepAlive(true)
        .setTcpNoDelay(true);
    return options;
  }
}
