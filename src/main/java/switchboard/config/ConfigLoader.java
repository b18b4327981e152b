package switchboard.config;

import switchboard.domain.OfficeHours;
import switchboard.limits.Cidr;
import switchboard.limits.ClientAddress;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import switchboard.auth.PasswordHasher;
import switchboard.domain.ChatForm;
import switchboard.domain.QueueConfig;
import switchboard.domain.OperatorConfig;
import switchboard.domain.SmsNumber;

/**
 * Reads conf/config.json (DESIGN §5), validates it and applies environment overrides.
 * Every problem is a {@link ConfigException} naming the file and the field, e.g.
 * {@code conf/config.json: queues[1].backups[0]: unknown queue "genral"}.
 *
 * <p>Validation is by hand over Jackson's tree rather than data binding so that each message can
 * carry the JSON path of the offending field, which is what a host editing the file needs.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  public static final String ENV_HTTP_PORT = "SWITCHBOARD_HTTP_PORT";
  public static final String ENV_REDIS_URL = "SWITCHBOARD_REDIS_URL";
  public static final String ENV_ALLOWED_ORIGINS = "SWITCHBOARD_ALLOWED_ORIGINS";
  public static final String ENV_NODE_ID = "SWITCHBOARD_NODE_ID";
  public static final String ENV_METRICS_TOKEN = "SWITCHBOARD_METRICS_TOKEN";
  public static final String ENV_RECORD_URL = "SWITCHBOARD_RECORD_URL";
  public static final String ENV_RECORD_USERNAME = "SWITCHBOARD_RECORD_USERNAME";
  public static final String ENV_RECORD_PASSWORD = "SWITCHBOARD_RECORD_PASSWORD";
  public static final String ENV_ACCESS_LOG = "SWITCHBOARD_ACCESS_LOG";
  /**
   * Read by logback.xml (switchboard.LogFormatEncoder, before any config is read); checked here so
   * that a typo stops the start with the variable named instead of leaving the node silent.
   */
  public static final String ENV_LOG_FORMAT = "SWITCHBOARD_LOG_FORMAT";

  static final String DEFAULT_REDIS_PREFIX = "switchboard:";
  static final int DEFAULT_HTTP_PORT = 8080;

  private static final Pattern QUEUE_NAME = Pattern.compile("[a-z0-9-]{1,64}");
  private static final Pattern OPERATOR_ID = Pattern.compile("[a-z0-9._-]{1,64}");
  // Node ids end up in Redis keys and log lines; keep them to characters that need no quoting.
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private static final JsonMapper MAPPER = JsonMapper.builder()
      // A key given twice in one object is almost always an editing mistake; silently taking the last hides it.
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  public static AppConfig load(Path file, Map<String, String> env) {
    String source = file.toString();
    if (Files.isDirectory(file)) {
      throw new ConfigException(source + ": cannot read: is a directory, not a file");
    }
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(source + ": cannot read: file not found");
    } catch (AccessDeniedException e) {
      throw new ConfigException(source + ": cannot read: permission denied");
    } catch (CharacterCodingException e) {
      throw new ConfigException(source + ": cannot read: not UTF-8 text");
    } catch (IOException e) {
      throw new ConfigException(source + ": cannot read: " + e.getMessage());
    }
    return parse(json, source, env, file.toAbsolutePath().getParent());
  }

  /** A config that is not a file: the record is kept in the state store unless it names one. */
  public static AppConfig parse(String json, String source, Map<String, String> env) {
    return parse(json, source, env, null);
  }

  /** {@code baseDir}: the config file's folder, where the embedded database's {@code data/} folder goes. */
  public static AppConfig parse(String json, String source, Map<String, String> env, Path baseDir) {
    AppConfig fromFile = new Reader(source).config(readTree(json, source));
    return applyEnvironment(fromFile, env == null ? Map.of() : env, baseDir);
  }

  /**
   * Checks the rollover graph of a complete queue list: backups name known queues, not the queue
   * itself, not twice, and no chain leads back to where it started. Public so that code changing
   * queues at run time can hold them to the same rules as the file.
   */
  public static void checkRolloverGraph(String source, List<QueueConfig> queues) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < queues.size(); i++) {
      index.put(queues.get(i).name(), i);
    }
    for (int i = 0; i < queues.size(); i++) {
      QueueConfig queue = queues.get(i);
      Set<String> seen = new HashSet<>();
      for (int j = 0; j < queue.backups().size(); j++) {
        String backup = queue.backups().get(j);
        String path = "queues[" + i + "].backups[" + j + "]";
        if (backup.equals(queue.name())) {
          throw new ConfigException(source, path, "queue " + quote(backup) + " cannot be its own backup");
        }
        if (!index.containsKey(backup)) {
          throw new ConfigException(source, path, "unknown queue " + quote(backup));
        }
        if (!seen.add(backup)) {
          throw new ConfigException(source, path, "duplicate backup " + quote(backup));
        }
      }
    }
    new CycleFinder(source, queues, index).check();
  }

  // ---------------------------------------------------------------- JSON text

  private static JsonNode readTree(String json, String source) {
    // Editors on Windows like to prepend a byte-order mark, which is not JSON.
    String text = json.startsWith("\uFEFF") ? json.substring(1) : json;
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null || at.getLineNr() < 1 ? source : source + ":" + at.getLineNr() + ":" + at.getColumnNr();
      throw new ConfigException(where + ": invalid JSON: " + describeParseProblem(e));
    }
    if (root == null || root.isMissingNode()) {
      throw new ConfigException(source + ": the file is empty; expected a JSON object");
    }
    return root;
  }

  private static String describeParseProblem(JsonProcessingException e) {
    String message = String.valueOf(e.getOriginalMessage());
    if (message.startsWith("Trailing token")) {
      return "unexpected content after the end of the top-level value";
    }
    // Jackson names an internal "[Source: REDACTED ...]" in some messages; the file is already named.
    message = message.replaceAll("\\[Source: [^;\\]]*; line", "[line");
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  // ---------------------------------------------------------------- environment

  private static AppConfig applyEnvironment(AppConfig c, Map<String, String> env, Path baseDir) {
    int port = c.httpPort();
    String portText = envValue(env, ENV_HTTP_PORT);
    if (portText != null) {
      port = parsePort(portText);
    }
    RedisTarget redis = c.redis();
    String redisText = envValue(env, ENV_REDIS_URL);
    if (redisText != null) {
      if (!isRedisUrl(redisText)) {
        throw envError(ENV_REDIS_URL, "expected a URL starting with redis:// or rediss://, got " + quote(redisText));
      }
      redis = RedisTarget.single(redisText); // one named server replaces the file's, sentinels included
    }
    List<String> origins = c.allowedOrigins();
    String originsText = envValue(env, ENV_ALLOWED_ORIGINS);
    if (originsText != null) {
      origins = new ArrayList<>();
      for (String part : originsText.split(",")) {
        String origin = part.trim();
        if (origin.isEmpty()) {
          continue;
        }
        String normalized = normalizeOrigin(origin);
        if (normalized == null) {
          throw envError(ENV_ALLOWED_ORIGINS, originProblem(origin));
        }
        origins.add(normalized);
      }
    }
    String nodeId = c.nodeId();
    String nodeText = envValue(env, ENV_NODE_ID);
    if (nodeText != null) {
      if (!NODE_ID.matcher(nodeText).matches()) {
        throw envError(ENV_NODE_ID, nodeIdProblem(nodeText));
      }
      nodeId = nodeText;
    }
    if (nodeId == null) {
      nodeId = randomNodeId();
    }
    AccessSettings access = c.access();
    String metricsToken = envValue(env, ENV_METRICS_TOKEN);
    if (metricsToken != null) {
      if (metricsToken.strip().length() < 16) {
        throw envError(ENV_METRICS_TOKEN, "use at least 16 characters (a random string; it guards /metrics)");
      }
      access = access.withMetricsToken(metricsToken.strip());
    }
    String accessLogText = envValue(env, ENV_ACCESS_LOG);
    if (accessLogText != null) {
      if (!accessLogText.equals("true") && !accessLogText.equals("false")) {
        throw envError(ENV_ACCESS_LOG, "expected true or false, got " + quote(accessLogText));
      }
      access = access.withAccessLog(Boolean.parseBoolean(accessLogText));
    }
    String logFormat = envValue(env, ENV_LOG_FORMAT);
    if (logFormat != null && !logFormat.equals("text") && !logFormat.equals("json")) {
      throw envError(ENV_LOG_FORMAT, "expected text or json, got " + quote(logFormat));
    }
    RecordSettings record = c.record();
    String recordUrl = envValue(env, ENV_RECORD_URL);
    if (recordUrl != null) {
      String problem = recordUrlProblem(recordUrl);
      if (problem != null) {
        throw envError(ENV_RECORD_URL, problem);
      }
      record = new RecordSettings(recordUrl, record.username(), record.password());
    }
    String user = envValue(env, ENV_RECORD_USERNAME);
    String password = envValue(env, ENV_RECORD_PASSWORD);
    if (user != null || password != null) {
      record = new RecordSettings(record.url(), user != null ? user : record.username(),
          password != null ? password : record.password());
    }
    if (record.url() == null) {
      // one node keeps its record in the embedded database beside its config file; several nodes
      // on Redis keep it where they did before there was a database, unless a database is named
      record = redis == null && baseDir != null
          ? new RecordSettings("jdbc:sqlite:" + baseDir.resolve(RecordSettings.DEFAULT_FILE), null, null)
          : RecordSettings.none();
    }
    return new AppConfig(c.source(), port, origins, redis, c.redisPrefix(), nodeId, c.chats(), c.queues(),
        c.operators(), c.mail(), c.publicBaseUrl(), c.sms(), c.transcriptRetentionDays(), access, record);
  }

  private static String recordUrlProblem(String url) {
    if (RecordSettings.NONE.equals(url)) {
      return null;
    }
    if (url.startsWith("jdbc:sqlite:") && url.length() > "jdbc:sqlite:".length()) {
      return null;
    }
    if (url.startsWith("jdbc:postgresql://")) {
      return null;
    }
    return "expected jdbc:sqlite:FILE, jdbc:postgresql://HOST:PORT/DATABASE or \"none\", got " + quote(url);
  }

  /** An empty variable counts as unset, so `SWITCHBOARD_REDIS_URL=` in a unit file does not break start-up. */
  private static String envValue(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null) {
      return null;
    }
    value = value.trim();
    return value.isEmpty() ? null : value;
  }

  private static int parsePort(String text) {
    try {
      int port = Integer.parseInt(text);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below, same as out of range
    }
    throw envError(ENV_HTTP_PORT, "expected an integer from 0 to 65535, got " + quote(text));
  }

  private static ConfigException envError(String variable, String problem) {
    return new ConfigException("environment variable " + variable + ": " + problem);
  }

  private static String randomNodeId() {
    byte[] bytes = new byte[4];
    new SecureRandom().nextBytes(bytes);
    return "node-" + HexFormat.of().formatHex(bytes);
  }

  // ---------------------------------------------------------------- value rules shared by file and environment

  private static boolean isRedisUrl(String url) {
    return url.startsWith("redis://") || url.startsWith("rediss://");
  }

  private static String nodeIdProblem(String value) {
    return quote(value) + " is not a valid node id: use 1 to 64 characters from A-Z, a-z, 0-9, '.', '_' and '-'";
  }

  private static String originProblem(String value) {
    return quote(value) + " is not an origin: use \"*\" or scheme://host[:port] with no path,"
        + " e.g. \"https://library.example.edu\"";
  }

  /**
   * Returns the origin as a browser sends it in the Origin header (lower case, default port left
   * out), so that comparing strings later is enough; null when it is not an http(s) origin.
   */
  static String normalizeOrigin(String value) {
    if (value.equals("*")) {
      return value;
    }
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean plain = uri.getRawPath() == null || uri.getRawPath().isEmpty();
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getUserInfo() != null
        || !plain || uri.getRawQuery() != null || uri.getRawFragment() != null
        || uri.getPort() == 0 || uri.getPort() > 65535) {
      return null;
    }
    int defaultPort = scheme.equals("https") ? 443 : 80;
    String port = uri.getPort() == -1 || uri.getPort() == defaultPort ? "" : ":" + uri.getPort();
    return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + port;
  }

  private static String quote(String s) {
    return new TextNode(s).toString();
  }

  // ---------------------------------------------------------------- the file's tree

  /** Walks the tree of one file; every method takes the JSON path of what it reads, for messages. */
  private static final class Reader {
    private final String source;

    Reader(String source) {
      this.source = source;
    }

    AppConfig config(JsonNode root) {
      expectObject(root, "(top level)");
      onlyKnownFields(root, "", "http", "redis", "nodeId", "chats", "queues", "operators", "mail", "publicBaseUrl",
          "sms", "transcripts", "metrics", "record");

      JsonNode http = optionalObjectNode(root, "", "http");
      if (http != null) {
        onlyKnownFields(http, "http", "port", "allowedOrigins", "trustedProxies", "accessLog");
      }
      List<String> trustedProxies = http == null || value(http, "trustedProxies") == null
          ? ClientAddress.DEFAULT_TRUSTED_PROXIES : ranges(http, "http", "trustedProxies");
      JsonNode metrics = optionalObjectNode(root, "", "metrics");
      String metricsToken = null;
      List<String> metricsAllowFrom = List.of();
      if (metrics != null) {
        onlyKnownFields(metrics, "metrics", "token", "allowFrom");
        metricsToken = optionalString(metrics, "metrics", "token");
        if (metricsToken != null && metricsToken.strip().length() < 16) {
          throw error("metrics.token", "use at least 16 characters (a random string; it guards /metrics)");
        }
        metricsToken = metricsToken == null ? null : metricsToken.strip();
        metricsAllowFrom = value(metrics, "allowFrom") == null ? List.of() : ranges(metrics, "metrics", "allowFrom");
      }
      boolean accessLog = http != null && booleanField(http, "http", "accessLog", false);
      AccessSettings access = new AccessSettings(trustedProxies, metricsToken, metricsAllowFrom, accessLog);
      int port = http == null ? DEFAULT_HTTP_PORT : intField(http, "http", "port", DEFAULT_HTTP_PORT, 0, 65535);
      List<String> origins = http == null ? List.of() : origins(http);

      JsonNode redis = optionalObjectNode(root, "", "redis");
      RedisTarget redisTarget = null;
      String redisPrefix = DEFAULT_REDIS_PREFIX;
      if (redis != null) {
        onlyKnownFields(redis, "redis", "url", "prefix", "sentinels", "masterName");
        redisTarget = redisTarget(redis);
        String prefix = optionalString(redis, "redis", "prefix");
        redisPrefix = prefix == null ? DEFAULT_REDIS_PREFIX : prefix;
      }

      String nodeId = optionalString(root, "", "nodeId");
      if (nodeId != null && !NODE_ID.matcher(nodeId).matches()) {
        throw error("nodeId", nodeIdProblem(nodeId));
      }

      ChatSettings chats = chats(optionalObjectNode(root, "", "chats"));
      List<QueueConfig> queues = queues(root);
      List<OperatorConfig> operators = operators(root, queues);
      MailSettings mail = mail(optionalObjectNode(root, "", "mail"));
      String publicBaseUrl = optionalString(root, "", "publicBaseUrl");
      if (publicBaseUrl != null && !publicBaseUrl.matches("https?://[^/\\s]+(/[^\\s]*)?")) {
        throw error("publicBaseUrl", "expected an http(s) URL such as https://chat.example.edu, got " + quote(publicBaseUrl));
      }
      List<SmsNumber> sms = sms(root, queues);
      JsonNode transcripts = optionalObjectNode(root, "", "transcripts");
      int retentionDays = AppConfig.DEFAULT_RETENTION_DAYS;
      if (transcripts != null) {
        onlyKnownFields(transcripts, "transcripts", "retentionDays");
        retentionDays = intField(transcripts, "transcripts", "retentionDays", AppConfig.DEFAULT_RETENTION_DAYS, 0, 36_500);
      }
      RecordSettings record = record(optionalObjectNode(root, "", "record"));
      return new AppConfig(source, port, origins, redisTarget, redisPrefix, nodeId, chats, queues, operators, mail,
          publicBaseUrl, sms, retentionDays, access, record);
    }

    /** One server ({@code url}) or a Sentinel group ({@code sentinels} and {@code masterName}), not both. */
    private RedisTarget redisTarget(JsonNode redis) {
      String url = optionalString(redis, "redis", "url");
      if (url != null && !isRedisUrl(url)) {
        throw error("redis.url", "expected null or a URL starting with redis:// or rediss://, got " + quote(url));
      }
      List<String> sentinels = stringList(redis, "redis", "sentinels");
      String masterName = optionalString(redis, "redis", "masterName");
      if (sentinels.isEmpty()) {
        if (value(redis, "sentinels") != null) {
          throw error("redis.sentinels", "must list at least one sentinel, such as redis://10.0.0.5:26379");
        }
        if (masterName != null) {
          throw error("redis.masterName", "is only used with redis.sentinels");
        }
        return url == null ? null : RedisTarget.single(url);
      }
      if (url != null) {
        throw error("redis.sentinels", "give either redis.url (one server) or redis.sentinels (a Sentinel group), not both");
      }
      for (int i = 0; i < sentinels.size(); i++) {
        if (!isRedisUrl(sentinels.get(i))) {
          throw error("redis.sentinels[" + i + "]",
              "expected a URL starting with redis:// or rediss://, got " + quote(sentinels.get(i)));
        }
      }
      return RedisTarget.sentinels(sentinels, masterName);
    }

    /** A list of addresses or ranges (10.0.0.0/8, ::1); each checked, the wrong one named. */
    private List<String> ranges(JsonNode object, String path, String field) {
      List<String> raw = stringList(object, path, field);
      for (int i = 0; i < raw.size(); i++) {
        try {
          Cidr.parse(raw.get(i));
        } catch (IllegalArgumentException e) {
          throw error(path + "." + field + "[" + i + "]", e.getMessage());
        }
      }
      return raw.stream().map(String::strip).toList();
    }

    /** Texting numbers: each names a known queue and a provider account; secrets stay out of messages. */
    private List<SmsNumber> sms(JsonNode root, List<QueueConfig> queues) {
      JsonNode list = value(root, "sms");
      if (list == null) {
        return List.of();
      }
      expectArray(list, "sms");
      List<SmsNumber> numbers = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        String path = "sms[" + i + "]";
        JsonNode n = list.get(i);
        expectObject(n, path);
        onlyKnownFields(n, path, "number", "queue", "provider", "offlineReply", "idleMinutes");
        String number = requiredString(n, path, "number");
        if (!number.matches("\\+[1-9][0-9]{6,14}")) {
          throw error(path + ".number", "expected an E.164 number such as +15551230000, got " + quote(number));
        }
        if (!seen.add(number)) {
          throw error(path + ".number", "duplicate number " + quote(number));
        }
        String queue = requiredString(n, path, "queue");
        if (queues.stream().noneMatch(q -> q.name().equals(queue))) {
          throw error(path + ".queue", "unknown queue " + quote(queue));
        }
        JsonNode p = value(n, "provider");
        if (p == null) {
          throw error(path + ".provider", "required field missing");
        }
        expectObject(p, path + ".provider");
        String pp = path + ".provider";
        onlyKnownFields(p, pp, "type", "accountSid", "authToken", "apiBase");
        String type = requiredString(p, pp, "type");
        if (!type.equals("twilio")) {
          throw error(pp + ".type", "the supported provider is \"twilio\", got " + quote(type));
        }
        String apiBase = optionalString(p, pp, "apiBase");
        if (apiBase != null && !apiBase.matches("https?://[^\\s]+")) {
          throw error(pp + ".apiBase", "expected an http(s) URL, got " + quote(apiBase));
        }
        SmsNumber.Provider provider = new SmsNumber.Provider(type, requiredString(p, pp, "accountSid"),
            requiredString(p, pp, "authToken"), apiBase == null ? SmsNumber.Provider.DEFAULT_TWILIO_API : apiBase);
        String offline = optionalString(n, path, "offlineReply");
        int idle = intField(n, path, "idleMinutes", SmsNumber.DEFAULT_IDLE_MINUTES, 1, 60 * 24 * 30);
        numbers.add(new SmsNumber(number, queue, provider, offline == null ? SmsNumber.DEFAULT_OFFLINE_REPLY : offline,
            idle));
      }
      return numbers;
    }

    /** {@code "record"}: absent or without a url, the default is chosen with the environment (see env()). */
    private RecordSettings record(JsonNode record) {
      if (record == null) {
        return new RecordSettings(null, null, null);
      }
      onlyKnownFields(record, "record", "url", "username", "password");
      String url = optionalString(record, "record", "url");
      if (url != null) {
        String problem = recordUrlProblem(url);
        if (problem != null) {
          throw error("record.url", problem);
        }
      }
      return new RecordSettings(url, optionalString(record, "record", "username"),
          optionalString(record, "record", "password"));
    }

    private MailSettings mail(JsonNode mail) {
      if (mail == null) {
        return null;
      }
      onlyKnownFields(mail, "mail", "host", "port", "from", "starttls", "username", "password");
      String host = requiredString(mail, "mail", "host");
      int port = intField(mail, "mail", "port", MailSettings.DEFAULT_PORT, 1, 65535);
      String from = requiredString(mail, "mail", "from");
      if (!MailSettings.isSender(from)) {
        throw error("mail.from", quote(from) + " is not an email address: use \"chat@library.example.edu\""
            + " or \"Ask a Librarian <chat@library.example.edu>\"");
      }
      String starttls = optionalString(mail, "mail", "starttls");
      MailSettings.StartTls tls = MailSettings.StartTls.OPTIONAL;
      if (starttls != null) {
        try {
          tls = MailSettings.StartTls.valueOf(starttls);
        } catch (IllegalArgumentException e) {
          throw error("mail.starttls", "expected \"DISABLED\", \"OPTIONAL\" or \"REQUIRED\", got " + quote(starttls));
        }
      }
      String username = optionalString(mail, "mail", "username");
      String password = optionalString(mail, "mail", "password");
      if ((username == null) != (password == null)) {
        throw error(username == null ? "mail.username" : "mail.password",
            "give both username and password, or neither (a server that takes mail without signing in)");
      }
      return new MailSettings(host.strip(), port, from.strip(), tls, username, password);
    }

    private List<String> origins(JsonNode http) {
      List<String> raw = stringList(http, "http", "allowedOrigins");
      List<String> origins = new ArrayList<>();
      for (int i = 0; i < raw.size(); i++) {
        String normalized = normalizeOrigin(raw.get(i));
        if (normalized == null) {
          throw error("http.allowedOrigins[" + i + "]", originProblem(raw.get(i)));
        }
        origins.add(normalized);
      }
      return origins;
    }

    private ChatSettings chats(JsonNode chats) {
      ChatSettings d = ChatSettings.defaults();
      if (chats == null) {
        return d;
      }
      onlyKnownFields(chats, "chats", "guestGraceSeconds", "operatorGraceSeconds", "maxTextLength",
          "operatorAwayAfterIdleSeconds",
          "messagesPerTenSeconds");
      return new ChatSettings(
          intField(chats, "chats", "guestGraceSeconds", d.guestGraceSeconds(), 1, Integer.MAX_VALUE),
          intField(chats, "chats", "operatorGraceSeconds", d.operatorGraceSeconds(), 1, Integer.MAX_VALUE),
          intField(chats, "chats", "maxTextLength", d.maxTextLength(), 1, Integer.MAX_VALUE),
          intField(chats, "chats", "messagesPerTenSeconds", d.messagesPerTenSeconds(), 1, Integer.MAX_VALUE),
          intField(chats, "chats", "operatorAwayAfterIdleSeconds", d.operatorAwayAfterIdleSeconds(), 0,
              7 * 24 * 3600));
    }

    private List<QueueConfig> queues(JsonNode root) {
      JsonNode list = value(root, "queues");
      if (list == null) {
        throw error("queues", "required field missing (a list of queues)");
      }
      expectArray(list, "queues");
      List<QueueConfig> queues = new ArrayList<>();
      Set<String> names = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        QueueConfig queue = queue(list.get(i), "queues[" + i + "]");
        if (!names.add(queue.name())) {
          throw error("queues[" + i + "].name", "duplicate queue name " + quote(queue.name()));
        }
        queues.add(queue);
      }
      checkRolloverGraph(source, queues);
      return queues;
    }

    private QueueConfig queue(JsonNode q, String path) {
      expectObject(q, path);
      onlyKnownFields(q, path, "name", "title", "backups", "rolloverAfterSeconds", "maxWaitSeconds", "hours", "skin",
          "form", "rating", "language");
      String name = requiredString(q, path, "name");
      if (!QUEUE_NAME.matcher(name).matches()) {
        throw error(path + ".name",
            quote(name) + " is not a valid queue name: use 1 to 64 characters from a-z, 0-9 and '-'");
      }
      return new QueueConfig(
          name,
          requiredString(q, path, "title"),
          stringList(q, path, "backups"),
          intField(q, path, "rolloverAfterSeconds", QueueConfig.DEFAULT_ROLLOVER_AFTER_SECONDS, 1, Integer.MAX_VALUE),
          optionalInt(q, path, "maxWaitSeconds", 1, Integer.MAX_VALUE),
          hours(q, path),
          anyObject(q, path, "skin"),
          form(q, path),
          booleanField(q, path, "rating", false),
          language(q, path));
    }

    private String language(JsonNode q, String path) {
      JsonNode value = value(q, "language");
      if (value == null) {
        return null;
      }
      if (!value.isTextual() || !QueueConfig.LANGUAGES.contains(value.asText())) {
        throw error(path + ".language", "one of " + String.join(", ", QueueConfig.LANGUAGES) + " (the pages' languages)");
      }
      return value.asText();
    }

    /** {@code "form": {"name": "optional", "email": "required", "question": "off"}}; a missing field keeps its default. */
    private ChatForm form(JsonNode q, String path) {
      JsonNode form = value(q, "form");
      if (form == null) {
        return ChatForm.DEFAULT;
      }
      String formPath = path + ".form";
      expectObject(form, formPath);
      onlyKnownFields(form, formPath, "name", "email", "question");
      return new ChatForm(ask(form, formPath, "name"), ask(form, formPath, "email"), ask(form, formPath, "question"));
    }

    private ChatForm.Ask ask(JsonNode form, String path, String field) {
      JsonNode value = value(form, field);
      if (value == null) {
        return null;
      }
      try {
        if (!value.isTextual()) {
          throw new IllegalArgumentException();
        }
        return ChatForm.Ask.valueOf(value.asText());
      } catch (IllegalArgumentException e) {
        throw error(path + "." + field, "must be \"off\", \"optional\" or \"required\"");
      }
    }

    /** Office hours are checked here, so a typo in a time zone or a range stops the start. */
    private Map<String, Object> hours(JsonNode q, String path) {
      Map<String, Object> hours = anyObject(q, path, "hours");
      if (hours != null) {
        try {
          OfficeHours.parse(hours);
        } catch (IllegalArgumentException e) {
          String message = e.getMessage();
          int colon = message.indexOf(": ");
          throw error(path + ".hours." + message.substring(0, colon), message.substring(colon + 2));
        }
      }
      return hours;
    }

    private List<OperatorConfig> operators(JsonNode root, List<QueueConfig> queues) {
      JsonNode list = value(root, "operators");
      if (list == null) {
        return List.of();
      }
      expectArray(list, "operators");
      Set<String> queueNames = new HashSet<>();
      queues.forEach(q -> queueNames.add(q.name()));
      List<OperatorConfig> operators = new ArrayList<>();
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        OperatorConfig operator = operator(list.get(i), "operators[" + i + "]", queueNames);
        if (!ids.add(operator.id())) {
          throw error("operators[" + i + "].id", "duplicate operator id " + quote(operator.id()));
        }
        operators.add(operator);
      }
      return operators;
    }

    private OperatorConfig operator(JsonNode o, String path, Set<String> queueNames) {
      expectObject(o, path);
      if (o.has("password")) {
        throw error(path + ".password", "plain passwords are not allowed in the config; put a passwordHash"
            + " instead (create one with: java -jar target/switchboard.jar hash-password)");
      }
      onlyKnownFields(o, path, "id", "name", "queues", "maxChats", "role", "passwordHash");
      String id = requiredString(o, path, "id");
      if (!OPERATOR_ID.matcher(id).matches()) {
        throw error(path + ".id",
            quote(id) + " is not a valid operator id: use 1 to 64 characters from a-z, 0-9, '.', '_' and '-'");
      }
      String name = requiredString(o, path, "name");
      List<String> queues = stringList(o, path, "queues");
      Set<String> seen = new HashSet<>();
      for (int j = 0; j < queues.size(); j++) {
        String queue = queues.get(j);
        if (!queueNames.contains(queue)) {
          throw error(path + ".queues[" + j + "]", "unknown queue " + quote(queue));
        }
        if (!seen.add(queue)) {
          throw error(path + ".queues[" + j + "]", "duplicate queue " + quote(queue));
        }
      }
      int maxChats = intField(o, path, "maxChats", OperatorConfig.DEFAULT_MAX_CHATS, 1, Integer.MAX_VALUE);
      OperatorConfig.Role role = role(o, path);
      String hash = optionalString(o, path, "passwordHash");
      if (hash != null && !PasswordHasher.isSupported(hash)) {
        throw error(path + ".passwordHash",
            "not a pbkdf2-sha256 hash; create one with: java -jar target/switchboard.jar hash-password");
      }
      return new OperatorConfig(id, name, queues, maxChats, role, hash);
    }

    private OperatorConfig.Role role(JsonNode o, String path) {
      String role = optionalString(o, path, "role");
      if (role == null) {
        return OperatorConfig.Role.operator;
      }
      for (OperatorConfig.Role r : OperatorConfig.Role.values()) {
        if (r.name().equals(role)) {
          return r;
        }
      }
      throw error(path + ".role", "expected \"operator\" or \"admin\", got " + quote(role));
    }

    // ---- field helpers; an explicit null counts as absent everywhere, like the "url": null of the demo

    private ConfigException error(String path, String problem) {
      return new ConfigException(source, path, problem);
    }

    private static String join(String path, String field) {
      return path.isEmpty() ? field : path + "." + field;
    }

    private static JsonNode value(JsonNode object, String field) {
      JsonNode v = object.get(field);
      return v == null || v.isNull() ? null : v;
    }

    private void onlyKnownFields(JsonNode object, String path, String... known) {
      List<String> allowed = List.of(known);
      for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
        String field = it.next();
        if (!allowed.contains(field)) {
          throw error(join(path, field), "unknown field (expected one of: " + String.join(", ", allowed) + ")");
        }
      }
    }

    private void expectObject(JsonNode node, String path) {
      if (!node.isObject()) {
        throw error(path, "expected an object, got " + describe(node));
      }
    }

    private void expectArray(JsonNode node, String path) {
      if (!node.isArray()) {
        throw error(path, "expected a list, got " + describe(node));
      }
    }

    private JsonNode optionalObjectNode(JsonNode object, String path, String field) {
      JsonNode v = value(object, field);
      if (v != null) {
        expectObject(v, join(path, field));
      }
      return v;
    }

    private Map<String, Object> anyObject(JsonNode object, String path, String field) {
      JsonNode v = optionalObjectNode(object, path, field);
      if (v == null) {
        return null;
      }
      Map<String, Object> map = MAPPER.convertValue(v, new TypeReference<LinkedHashMap<String, Object>>() {});
      return Collections.unmodifiableMap(map);
    }

    private String optionalString(JsonNode object, String path, String field) {
      JsonNode v = value(object, field);
      if (v == null) {
        return null;
      }
      if (!v.isTextual()) {
        throw error(join(path, field), "expected a string, got " + describe(v));
      }
      return v.textValue();
    }

    private String requiredString(JsonNode object, String path, String field) {
      String s = optionalString(object, path, field);
      if (s == null) {
        throw error(join(path, field), "required field missing");
      }
      if (s.isBlank()) {
        throw error(join(path, field), "must not be empty");
      }
      return s;
    }

    private List<String> stringList(JsonNode object, String path, String field) {
      JsonNode v = value(object, field);
      if (v == null) {
        return List.of();
      }
      expectArray(v, join(path, field));
      List<String> list = new ArrayList<>();
      for (int i = 0; i < v.size(); i++) {
        JsonNode item = v.get(i);
        if (!item.isTextual()) {
          throw error(join(path, field) + "[" + i + "]", "expected a string, got " + describe(item));
        }
        list.add(item.textValue());
      }
      return list;
    }

    private int intField(JsonNode object, String path, String field, int defaultValue, int min, int max) {
      Integer v = optionalInt(object, path, field, min, max);
      return v == null ? defaultValue : v;
    }

    private boolean booleanField(JsonNode object, String path, String field, boolean otherwise) {
      JsonNode v = value(object, field);
      if (v == null) {
        return otherwise;
      }
      if (!v.isBoolean()) {
        throw error(join(path, field), "expected true or false, got " + describe(v));
      }
      return v.booleanValue();
    }

    private Integer optionalInt(JsonNode object, String path, String field, int min, int max) {
      JsonNode v = value(object, field);
      if (v == null) {
        return null;
      }
      if (!v.isIntegralNumber()) {
        throw error(join(path, field), "expected an integer, got " + describe(v));
      }
      BigInteger n = v.bigIntegerValue();
      if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
        String range = max == Integer.MAX_VALUE ? "at least " + min : "from " + min + " to " + max;
        throw error(join(path, field), "expected an integer " + range + ", got " + n);
      }
      return n.intValue();
    }

    private static String describe(JsonNode node) {
      if (node.isNull()) {
        return "null";
      } else if (node.isBoolean()) {
        return "a boolean";
      } else if (node.isIntegralNumber()) {
        return "an integer";
      } else if (node.isNumber()) {
        return "a decimal number";
      } else if (node.isTextual()) {
        return "a string";
      } else if (node.isArray()) {
        return "a list";
      } else if (node.isObject()) {
        return "an object";
      }
      return node.getNodeType().toString().toLowerCase(Locale.ROOT);
    }
  }

  /** Depth-first search over backups; a back edge to a queue still on the path is a cycle. */
  private static final class CycleFinder {
    private final String source;
    private final List<QueueConfig> queues;
    private final Map<String, Integer> index;
    private final Set<String> done = new HashSet<>();
    private final List<String> path = new ArrayList<>();

    CycleFinder(String source, List<QueueConfig> queues, Map<String, Integer> index) {
      this.source = source;
      this.queues = queues;
      this.index = index;
    }

    void check() {
      for (QueueConfig queue : queues) {
        visit(queue.name());
      }
    }

    private void visit(String name) {
      if (done.contains(name)) {
        return;
      }
      int onPath = path.indexOf(name);
      if (onPath >= 0) {
        List<String> cycle = new ArrayList<>(path.subList(onPath, path.size()));
        cycle.add(name);
        throw new ConfigException(source, "queues[" + index.get(name) + "].backups",
            "queue " + quote(name) + " rolls over back to itself: " + String.join(" → ", cycle));
      }
      path.add(name);
      for (String backup : queues.get(index.get(name)).backups()) {
        visit(backup);
      }
      path.remove(path.size() - 1);
      // A queue fully explored without finding a cycle is safe to reach again: diamonds are fine.
      done.add(name);
    }
  }
}
