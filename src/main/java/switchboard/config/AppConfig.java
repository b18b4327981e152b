package switchboard.config;

import java.util.List;
import switchboard.domain.QueueConfig;
import switchboard.domain.OperatorConfig;
import switchboard.domain.SmsNumber;

/**
 * The whole configuration of one node, after the file was read, validated and
 * environment overrides were applied.
 *
 * @param source         where it came from (a file path, or a name given by a test), for messages
 * @param allowedOrigins origins (scheme://host[:port]) whose pages may open sockets besides the server's own;
 *                       "*" allows any
 * @param redis          where the hot state lives; null for this node's memory (one node)
 * @param mail           null when transcripts are not mailed
 * @param record         where the durable record lives (see {@link RecordSettings})
 * @param publicBaseUrl  the URL the world reaches this service at (SMS providers sign requests with it)
 * @param sms            texting numbers feeding queues
 * @param transcriptRetentionDays how long chat messages are kept after a chat ends (0: not at all)
 * @param access         trusted proxies and who may read /metrics
 */
public record AppConfig(
    String source,
    int httpPort,
    List<String> allowedOrigins,
    RedisTarget redis,
    String redisPrefix,
    String nodeId,
    ChatSettings chats,
    List<QueueConfig> queues,
    List<OperatorConfig> operators,
    MailSettings mail,
    String publicBaseUrl,
    List<SmsNumber> sms,
    int transcriptRetentionDays,
    AccessSettings access,
    RecordSettings record) {

  public static final int DEFAULT_RETENTION_DAYS = 30;

  /** Without mail settings, as most set-ups and tests have it. */
  public AppConfig(String source, int httpPort, List<String> allowedOrigins, String redisUrl, String redisPrefix,
      String nodeId, ChatSettings chats, List<QueueConfig> queues, List<OperatorConfig> operators) {
    this(source, httpPort, allowedOrigins, redisUrl, redisPrefix, nodeId, chats, queues, operators, null);
  }

  public AppConfig(String source, int httpPort, List<String> allowedOrigins, String redisUrl, String redisPrefix,
      String nodeId, ChatSettings chats, List<QueueConfig> queues, List<OperatorConfig> operators, MailSettings mail) {
    this(source, httpPort, allowedOrigins, redisUrl == null ? null : RedisTarget.single(redisUrl), redisPrefix, nodeId,
        chats, queues, operators, mail, null, List.of(), DEFAULT_RETENTION_DAYS, AccessSettings.defaults(), RecordSettings.none());
  }

  public AppConfig {
    allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
    queues = List.copyOf(queues);
    operators = List.copyOf(operators);
    sms = sms == null ? List.of() : List.copyOf(sms);
    access = access == null ? AccessSettings.defaults() : access;
    record = record == null ? RecordSettings.none() : record;
  }

  /** True when the hot state is on Redis (several nodes may share it). */
  public boolean usesRedis() {
    return redis != null;
  }

  public AppConfig withOperators(List<OperatorConfig> replaced) {
    return new AppConfig(source, httpPort, allowedOrigins, redis, redisPrefix, nodeId, chats, queues, replaced, mail,
        publicBaseUrl, sms, transcriptRetentionDays, access, record);
  }

  public AppConfig withRecord(RecordSettings where) {
    return new AppConfig(source, httpPort, allowedOrigins, redis, redisPrefix, nodeId, chats, queues, operators, mail,
        publicBaseUrl, sms, transcriptRetentionDays, access, where);
  }

  public AppConfig withHttpPort(int port) {
    return new AppConfig(source, port, allowedOrigins, redis, redisPrefix, nodeId, chats, queues, operators, mail,
        publicBaseUrl, sms, transcriptRetentionDays, access, record);
  }
}
