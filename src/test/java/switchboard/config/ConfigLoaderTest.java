package switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import switchboard.auth.PasswordHasher;
import switchboard.domain.ChatForm;
import switchboard.domain.QueueConfig;
import switchboard.domain.OperatorConfig;

class ConfigLoaderTest {
  private static final String SRC = "test.json";

  // ---------------------------------------------------------------- happy paths

  @Test
  void theShippedDemoConfigLoads() {
    AppConfig c = ConfigLoader.load(Path.of("conf/config.json"), Map.of());

    assertThat(c.source()).isEqualTo(Path.of("conf/config.json").toString());
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.allowedOrigins()).isEmpty();
    assertThat(c.redis()).isNull();
    assertThat(c.queues()).extracting(QueueConfig::name).containsExactly("ill", "general");
    QueueConfig ill = c.queues().get(0);
    assertThat(ill.title()).isEqualTo("Interlibrary Loan");
    assertThat(ill.backups()).containsExactly("general");
    assertThat(ill.rolloverAfterSeconds()).isEqualTo(75);
    assertThat(c.operators()).extracting(OperatorConfig::id).containsExactly("alice", "bob");
    assertThat(c.operators().get(0).queues()).containsExactly("ill", "general");
    // The demo must leave the way in to FirstStartAdmin: no known password ships.
    assertThat(c.operators()).allSatisfy(o -> assertThat(o.passwordHash()).isNull());
  }

  @Test
  void defaultsAreApplied() {
    AppConfig c = parse("""
        {"queues": [{"name": "general", "title": "Ask"}],
         "operators": [{"id": "alice", "name": "Alice"}]}
        """);

    assertThat(c.source()).isEqualTo(SRC);
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.redis()).isNull();
    assertThat(c.redisPrefix()).isEqualTo("switchboard:");
    assertThat(c.nodeId()).matches("node-[0-9a-f]{8}");
    assertThat(c.chats()).isEqualTo(ChatSettings.defaults());
    QueueConfig q = c.queues().get(0);
    assertThat(q.rolloverAfterSeconds()).isEqualTo(75);
    assertThat(q.backups()).isEmpty();
    assertThat(q.maxWaitSeconds()).isNull();
    assertThat(q.hours()).isNull();
    assertThat(q.skin()).isNull();
    OperatorConfig o = c.operators().get(0);
    assertThat(o.maxChats()).isEqualTo(5);
    assertThat(o.role()).isEqualTo(OperatorConfig.Role.operator);
    assertThat(o.queues()).isEmpty();
    assertThat(o.passwordHash()).isNull();
  }

  @Test
  void everyFieldIsRead() {
    String hash = PasswordHasher.hash("pw".toCharArray(), 1000);
    AppConfig c = parse("""
        {"http": {"port": 0, "allowedOrigins": ["https://Library.Example.edu:443", "http://localhost:3000", "*"]},
         "redis": {"url": "redis://localhost:6379", "prefix": "sb:"},
         "nodeId": "node-a",
         "chats": {"guestGraceSeconds": 10, "operatorGraceSeconds": 20, "maxTextLength": 100, "messagesPerTenSeconds": 3},
         "queues": [{"name": "ill", "title": "ILL", "backups": ["general"], "rolloverAfterSeconds": 30,
                     "maxWaitSeconds": 600, "hours": {"timeZone": "Europe/Paris", "weekly": {"mon": ["09:00-17:00"]}},
                     "skin": {"color": "#336699"}},
                    {"name": "general", "title": "Ask"}],
         "operators": [{"id": "alice.b_c-1", "name": "Alice", "queues": ["ill"], "maxChats": 2, "role": "admin",
                        "passwordHash": "%s"}]}
        """.formatted(hash));

    assertThat(c.httpPort()).isZero();
    assertThat(c.allowedOrigins()).containsExactly("https://library.example.edu", "http://localhost:3000", "*");
    assertThat(c.redis()).isEqualTo(RedisTarget.single("redis://localhost:6379"));
    assertThat(c.redisPrefix()).isEqualTo("sb:");
    assertThat(c.nodeId()).isEqualTo("node-a");
    assertThat(c.chats()).isEqualTo(new ChatSettings(10, 20, 100, 3));
    QueueConfig ill = c.queues().get(0);
    assertThat(ill.rolloverAfterSeconds()).isEqualTo(30);
    assertThat(ill.maxWaitSeconds()).isEqualTo(600);
    assertThat(ill.hours()).containsEntry("timeZone", "Europe/Paris").containsEntry("weekly", Map.of("mon", List.of("09:00-17:00")));
    assertThat(ill.skin()).containsEntry("color", "#336699");
    OperatorConfig alice = c.operators().get(0);
    assertThat(alice.maxChats()).isEqualTo(2);
    assertThat(alice.isAdmin()).isTrue();
    assertThat(alice.passwordHash()).isEqualTo(hash);
  }

  @Test
  void aDiamondIsNotACycle() {
    AppConfig c = parse(queues("""
        {"name": "a", "title": "A", "backups": ["b", "c"]},
        {"name": "b", "title": "B", "backups": ["c"]},
        {"name": "c", "title": "C"}
        """));

    assertThat(c.queues()).hasSize(3);
  }

  @Test
  void environmentOverridesTheFile() {
    AppConfig c = ConfigLoader.parse("""
        {"http": {"port": 8080, "allowedOrigins": ["https://a.example"]}, "nodeId": "from-file",
         "queues": [{"name": "general", "title": "Ask"}]}
        """, SRC, Map.of(
            "SWITCHBOARD_HTTP_PORT", "9090",
            "SWITCHBOARD_REDIS_URL", "rediss://cache:6380",
            "SWITCHBOARD_ALLOWED_ORIGINS", " https://b.example , http://c.example:8000 ,",
            "SWITCHBOARD_NODE_ID", "node-7"));

    assertThat(c.httpPort()).isEqualTo(9090);
    assertThat(c.redis()).isEqualTo(RedisTarget.single("rediss://cache:6380"));
    assertThat(c.allowedOrigins()).containsExactly("https://b.example", "http://c.example:8000");
    assertThat(c.nodeId()).isEqualTo("node-7");
  }

  @Test
  void anEmptyVariableCountsAsUnset() {
    AppConfig c = ConfigLoader.parse("""
        {"http": {"port": 8181}, "redis": {"url": "redis://r:6379"}, "queues": []}
        """, SRC, Map.of("SWITCHBOARD_HTTP_PORT", "", "SWITCHBOARD_REDIS_URL", "", "SWITCHBOARD_NODE_ID", ""));

    assertThat(c.httpPort()).isEqualTo(8181);
    assertThat(c.redis()).isEqualTo(RedisTarget.single("redis://r:6379"));
    assertThat(c.nodeId()).startsWith("node-");
  }

  // ---------------------------------------------------------------- rollover graph

  @Test
  void unknownBackup() {
    assertThat(error(queues("""
        {"name": "ill", "title": "ILL", "backups": ["general"]},
        {"name": "general", "title": "Ask", "backups": ["ill", "genral"]}
        """))).isEqualTo("test.json: queues[1].backups[1]: unknown queue \"genral\"");
  }

  @Test
  void badOfficeHoursNameTheField() {
    assertThat(error(queues("""
        {"name": "ill", "title": "ILL", "hours": {"timeZone": "Europe/Paris", "weekly": {"mon": ["17:00-09:00"]}}}
        """))).startsWith("test.json: queues[0].hours.weekly.mon[0]: expected a range like \"09:00-17:00\"");
    assertThat(error(queues("""
        {"name": "ill", "title": "ILL", "hours": {"timeZone": "Paris"}}
        """))).isEqualTo("test.json: queues[0].hours.timeZone: unknown time zone \"Paris\"");
  }

  @Test
  void cycleOfTwo() {
    assertThat(error(queues("""
        {"name": "ill", "title": "ILL", "backups": ["general"]},
        {"name": "general", "title": "Ask", "backups": ["ill"]}
        """))).startsWith("test.json: queues[0].backups: ").contains("\"ill\"").contains("ill → general → ill");
  }

  @Test
  void cycleOfThreeAfterAnInnocentQueue() {
    assertThat(error(queues("""
        {"name": "x", "title": "X", "backups": ["a"]},
        {"name": "a", "title": "A", "backups": ["b"]},
        {"name": "b", "title": "B", "backups": ["c"]},
        {"name": "c", "title": "C", "backups": ["a"]}
        """))).startsWith("test.json: queues[1].backups: ").contains("a → b → c → a");
  }

  @Test
  void selfBackup() {
    assertThat(error(queues("""
        {"name": "ill", "title": "ILL", "backups": ["ill"]}
        """))).isEqualTo("test.json: queues[0].backups[0]: queue \"ill\" cannot be its own backup");
  }

  @Test
  void duplicateBackup() {
    assertThat(error(queues("""
        {"name": "ill", "title": "ILL", "backups": ["general", "general"]},
        {"name": "general", "title": "Ask"}
        """))).isEqualTo("test.json: queues[0].backups[1]: duplicate backup \"general\"");
  }

  // ---------------------------------------------------------------- queues

  @Test
  void duplicateQueueName() {
    assertThat(error(queues("""
        {"name": "ill", "title": "ILL"},
        {"name": "ill", "title": "Again"}
        """))).isEqualTo("test.json: queues[1].name: duplicate queue name \"ill\"");
  }

  @Test
  void badQueueSlug() {
    assertThat(error(queues("""
        {"name": "Bad Name", "title": "ILL"}
        """))).startsWith("test.json: queues[0].name: \"Bad Name\" is not a valid queue name");
    assertThat(error(queues("{\"name\": \"" + "a".repeat(65) + "\", \"title\": \"Long\"}")))
        .startsWith("test.json: queues[0].name: ");
  }

  @Test
  void missingTitle() {
    assertThat(error(queues("""
        {"name": "ill"}
        """))).isEqualTo("test.json: queues[0].title: required field missing");
    assertThat(error(queues("""
        {"name": "ill", "title": " "}
        """))).isEqualTo("test.json: queues[0].title: must not be empty");
  }

  @Test
  void missingQueues() {
    assertThat(error("{}")).isEqualTo("test.json: queues: required field missing (a list of queues)");
  }

  @Test
  void wrongTypes() {
    assertThat(error(queues("""
        {"name": "ill", "title": "ILL", "rolloverAfterSeconds": "75"}
        """))).isEqualTo("test.json: queues[0].rolloverAfterSeconds: expected an integer, got a string");
    assertThat(error(queues("""
        {"name": "ill", "title": "ILL", "rolloverAfterSeconds": 7.5}
        """))).isEqualTo("test.json: queues[0].rolloverAfterSeconds: expected an integer, got a decimal number");
    assertThat(error(queues("""
        {"name": "ill", "title": "ILL", "backups": "general"}
        """))).isEqualTo("test.json: queues[0].backups: expected a list, got a string");
    assertThat(error(queues("""
        {"name": "ill", "title": "ILL", "skin": ["blue"]}
        """))).isEqualTo("test.json: queues[0].skin: expected an object, got a list");
    assertThat(error("""
        {"http": {"port": "8080"}, "queues": []}
        """)).isEqualTo("test.json: http.port: expected an integer, got a string");
    assertThat(error("""
        {"queues": {"name": "ill"}}
        """)).isEqualTo("test.json: queues: expected a list, got an object");
    assertThat(error("[]")).isEqualTo("test.json: (top level): expected an object, got a list");
  }

  @Test
  void outOfRangeNumbers() {
    assertThat(error(queues("""
        {"name": "ill", "title": "ILL", "rolloverAfterSeconds": 0}
        """))).isEqualTo("test.json: queues[0].rolloverAfterSeconds: expected an integer at least 1, got 0");
    assertThat(error("""
        {"http": {"port": 70000}, "queues": []}
        """)).isEqualTo("test.json: http.port: expected an integer from 0 to 65535, got 70000");
    assertThat(error("""
        {"chats": {"maxTextLength": 99999999999999999999}, "queues": []}
        """)).startsWith("test.json: chats.maxTextLength: expected an integer at least 1");
  }

  @Test
  void unknownFields() {
    assertThat(error(queues("""
        {"name": "ill", "title": "ILL", "rollover": 30}
        """))).startsWith("test.json: queues[0].rollover: unknown field");
    assertThat(error("""
        {"queue": [], "queues": []}
        """)).startsWith("test.json: queue: unknown field");
    assertThat(error("""
        {"http": {"prot": 1}, "queues": []}
        """)).startsWith("test.json: http.prot: unknown field");
    assertThat(error("""
        {"chats": {"maxTextLen": 1}, "queues": []}
        """)).startsWith("test.json: chats.maxTextLen: unknown field");
    assertThat(error("""
        {"queues": [], "operators": [{"id": "a", "name": "A", "maxchats": 3}]}
        """)).startsWith("test.json: operators[0].maxchats: unknown field");
  }

  // ---------------------------------------------------------------- http, redis, node

  @Test
  void badOriginsAndRedisUrl() {
    assertThat(error("""
        {"http": {"allowedOrigins": ["https://library.example.edu/chat"]}, "queues": []}
        """)).startsWith("test.json: http.allowedOrigins[0]: \"https://library.example.edu/chat\" is not an origin");
    assertThat(error("""
        {"http": {"allowedOrigins": ["*", "library.example.edu"]}, "queues": []}
        """)).startsWith("test.json: http.allowedOrigins[1]: ");
    assertThat(error("""
        {"redis": {"url": "http://localhost:6379"}, "queues": []}
        """)).startsWith("test.json: redis.url: expected null or a URL starting with redis://");
    assertThat(error("""
        {"nodeId": "node a", "queues": []}
        """)).startsWith("test.json: nodeId: \"node a\" is not a valid node id");
  }

  @Test
  void aSentinelGroupIsReadAndItsMistakesNamed() {
    AppConfig c = parse("""
        {"redis": {"sentinels": ["redis://s1:26379", "redis://:secret@s2:26379"], "masterName": "chat"},
         "queues": []}
        """);
    assertThat(c.redis()).isEqualTo(RedisTarget.sentinels(
        List.of("redis://s1:26379", "redis://:secret@s2:26379"), "chat"));
    assertThat(c.usesRedis()).isTrue();
    assertThat(c.redis().describe()).isEqualTo("primary 'chat' via sentinels redis://s1:26379, redis://…@s2:26379");
    assertThat(parse("""
        {"redis": {"sentinels": ["redis://s1:26379"]}, "queues": []}
        """).redis().masterName()).isEqualTo("mymaster");

    assertThat(error("""
        {"redis": {"url": "redis://r:6379", "sentinels": ["redis://s1:26379"]}, "queues": []}
        """)).startsWith("test.json: redis.sentinels: give either redis.url (one server) or redis.sentinels");
    assertThat(error("""
        {"redis": {"sentinels": ["redis://s1:26379", "s2:26379"]}, "queues": []}
        """)).startsWith("test.json: redis.sentinels[1]: expected a URL starting with redis://");
    assertThat(error("""
        {"redis": {"sentinels": []}, "queues": []}
        """)).startsWith("test.json: redis.sentinels: must list at least one sentinel");
    assertThat(error("""
        {"redis": {"url": "redis://r:6379", "masterName": "chat"}, "queues": []}
        """)).startsWith("test.json: redis.masterName: is only used with redis.sentinels");
    // the environment's one server replaces the file's group
    assertThat(ConfigLoader.parse("""
        {"redis": {"sentinels": ["redis://s1:26379"]}, "queues": []}
        """, SRC, Map.of("SWITCHBOARD_REDIS_URL", "redis://r:6379")).redis())
        .isEqualTo(RedisTarget.single("redis://r:6379"));
  }

  // ---------------------------------------------------------------- operators

  @Test
  void duplicateOperatorId() {
    assertThat(error(operators("""
        {"id": "alice", "name": "Alice"},
        {"id": "alice", "name": "Alice again"}
        """))).isEqualTo("test.json: operators[1].id: duplicate operator id \"alice\"");
  }

  @Test
  void badOperatorId() {
    assertThat(error(operators("""
        {"id": "Alice Smith", "name": "Alice"}
        """))).startsWith("test.json: operators[0].id: \"Alice Smith\" is not a valid operator id");
  }

  @Test
  void missingOperatorName() {
    assertThat(error(operators("""
        {"id": "alice"}
        """))).isEqualTo("test.json: operators[0].name: required field missing");
  }

  @Test
  void operatorOnUnknownQueue() {
    assertThat(error(operators("""
        {"id": "alice", "name": "Alice", "queues": ["general", "ill"]}
        """))).isEqualTo("test.json: operators[0].queues[1]: unknown queue \"ill\"");
  }

  @Test
  void badRole() {
    assertThat(error(operators("""
        {"id": "alice", "name": "Alice", "role": "boss"}
        """))).isEqualTo("test.json: operators[0].role: expected \"operator\" or \"admin\", got \"boss\"");
  }

  @Test
  void plainPasswordIsRefused() {
    assertThat(error(operators("""
        {"id": "alice", "name": "Alice", "password": "secret"}
        """))).startsWith("test.json: operators[0].password: ").contains("passwordHash").contains("hash-password")
        .doesNotContain("secret");
  }

  @Test
  void badHash() {
    assertThat(error(operators("""
        {"id": "alice", "name": "Alice", "passwordHash": "$2a$10$abcdefghijklmnopqrstuv"}
        """))).isEqualTo("test.json: operators[0].passwordHash: not a pbkdf2-sha256 hash;"
            + " create one with: java -jar target/switchboard.jar hash-password");
  }

  // ---------------------------------------------------------------- JSON text, file, environment

  @Test
  void invalidJsonNamesLineAndColumn() {
    String message = error("""
        {
          "queues": [
            {"name": "ill" "title": "ILL"}
          ]
        }
        """);

    assertThat(message).startsWith("test.json:3:").contains("invalid JSON");
  }

  @Test
  void duplicateKeysAndTrailingContentAreInvalidJson() {
    assertThat(error("{\"queues\": [],\n \"queues\": []}")).startsWith("test.json:2:").contains("invalid JSON");
    assertThat(error("{\"queues\": []} {}")).startsWith("test.json:1:").contains("invalid JSON");
    assertThat(error("")).startsWith("test.json: ").contains("empty");
  }

  @Test
  void badHttpPortVariable() {
    for (String value : List.of("http", "-1", "65536", "80.5")) {
      assertThatThrownBy(() -> ConfigLoader.parse("{\"queues\": []}", SRC, Map.of("SWITCHBOARD_HTTP_PORT", value)))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("SWITCHBOARD_HTTP_PORT")
          .hasMessageContaining(value);
    }
  }

  @Test
  void badOtherVariables() {
    assertThatThrownBy(() -> ConfigLoader.parse("{\"queues\": []}", SRC, Map.of("SWITCHBOARD_REDIS_URL", "localhost")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SWITCHBOARD_REDIS_URL");
    assertThatThrownBy(() -> ConfigLoader.parse("{\"queues\": []}", SRC,
        Map.of("SWITCHBOARD_ALLOWED_ORIGINS", "https://ok.example,https://bad.example/path")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SWITCHBOARD_ALLOWED_ORIGINS")
        .hasMessageContaining("https://bad.example/path");
  }

  @Test
  void missingFileIsNamed(@TempDir Path dir) {
    Path missing = dir.resolve("nope.json");

    assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(missing + ": cannot read: file not found");
  }

  @Test
  void aPreChatFormIsReadWithItsDefaultsAndABadValueIsNamed() {
    AppConfig c = parse("""
        {"queues": [{"name": "ill", "title": "ILL", "form": {"email": "required", "question": "off"}},
                    {"name": "general", "title": "Ask"}]}
        """);
    assertThat(c.queues().get(0).form()).isEqualTo(new ChatForm(ChatForm.Ask.optional, ChatForm.Ask.required,
        ChatForm.Ask.off));
    assertThat(c.queues().get(1).form()).isEqualTo(ChatForm.DEFAULT);

    assertThatThrownBy(() -> parse("""
        {"queues": [{"name": "ill", "title": "ILL", "form": {"name": "mandatory"}}]}
        """)).isInstanceOf(ConfigException.class)
        .hasMessage(SRC + ": queues[0].form.name: must be \"off\", \"optional\" or \"required\"");
    assertThatThrownBy(() -> parse("""
        {"queues": [{"name": "ill", "title": "ILL", "form": {"phone": "required"}}]}
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("queues[0].form.phone");
  }

  @Test
  void aQueuesLanguageIsOneThePagesSpeak() {
    assertThat(parse("""
        {"queues": [{"name": "ill", "title": "ILL", "language": "fr"}, {"name": "general", "title": "Ask"}]}
        """).queues()).extracting(QueueConfig::language).containsExactly("fr", "en");
    assertThatThrownBy(() -> parse("""
        {"queues": [{"name": "ill", "title": "ILL", "language": "klingon"}]}
        """)).isInstanceOf(ConfigException.class).hasMessage(SRC + ": queues[0].language: one of en, fr (the pages' languages)");
  }

  @Test
  void loadUsesThePathAsSource(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "\uFEFF{\"queues\": [{\"name\": \"ill\", \"title\": \"ILL\", \"backups\": [\"x\"]}]}");

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .hasMessage(file + ": queues[0].backups[0]: unknown queue \"x\"");
  }

  // ---------------------------------------------------------------- first start (FirstStartAdmin works on loaded configs)

  @Test
  void firstStartAddsAnAdminWhenNoOperatorCanSignIn() {
    AppConfig demo = ConfigLoader.load(Path.of("conf/config.json"), Map.of());

    FirstStartAdmin.Result result = FirstStartAdmin.ensure(demo);

    assertThat(result.oneTimePassword()).matches("[A-HJ-NP-Za-km-z2-9]{20}");
    OperatorConfig admin = result.config().operators().get(2);
    assertThat(admin.id()).isEqualTo("admin");
    assertThat(admin.name()).isEqualTo("Administrator");
    assertThat(admin.isAdmin()).isTrue();
    assertThat(admin.maxChats()).isEqualTo(5);
    assertThat(admin.queues()).containsExactly("ill", "general");
    assertThat(PasswordHasher.verify(result.oneTimePassword().toCharArray(), admin.passwordHash())).isTrue();
    assertThat(FirstStartAdmin.ensure(demo).oneTimePassword()).isNotEqualTo(result.oneTimePassword());
  }

  @Test
  void firstStartReplacesAHashlessAdminInPlace() {
    AppConfig c = parse(operators("""
        {"id": "admin", "name": "Boss", "role": "operator"},
        {"id": "alice", "name": "Alice"}
        """));

    FirstStartAdmin.Result result = FirstStartAdmin.ensure(c);

    assertThat(result.config().operators()).extracting(OperatorConfig::id).containsExactly("admin", "alice");
    assertThat(result.config().operators().get(0).isAdmin()).isTrue();
    assertThat(result.config().operators().get(0).passwordHash()).isNotNull();
  }

  @Test
  void firstStartLeavesAConfigWithAHashAlone() {
    String hash = PasswordHasher.hash("pw".toCharArray(), 1000);
    AppConfig c = parse(operators("""
        {"id": "alice", "name": "Alice"},
        {"id": "bob", "name": "Bob", "passwordHash": "%s"}
        """.formatted(hash)));

    FirstStartAdmin.Result result = FirstStartAdmin.ensure(c);

    assertThat(result.oneTimePassword()).isNull();
    assertThat(result.config()).isSameAs(c);
  }

  @Test
  void trustedProxiesAndMetricsAccessAreReadAndChecked() {
    String q = "\"queues\": [{\"name\": \"general\", \"title\": \"Ask\"}]";
    AppConfig defaults = parse("{" + q + "}");
    assertThat(defaults.access().trustedProxies()).contains("127.0.0.0/8", "10.0.0.0/8");
    assertThat(defaults.access().metricsToken()).isNull();
    assertThat(defaults.access().metricsAllowFrom()).isEmpty();

    AppConfig c = parse("{\"http\": {\"trustedProxies\": [\"10.1.2.3\", \"fd00::/8\"]}, "
        + "\"metrics\": {\"token\": \"0123456789abcdef\", \"allowFrom\": [\"192.0.2.0/24\"]}, " + q + "}");
    assertThat(c.access().trustedProxies()).containsExactly("10.1.2.3", "fd00::/8");
    assertThat(c.access().metricsToken()).isEqualTo("0123456789abcdef");
    assertThat(c.access().metricsAllowFrom()).containsExactly("192.0.2.0/24");

    assertThat(error("{\"http\": {\"trustedProxies\": [\"10.0.0.0/8\", \"proxy.example\"]}, " + q + "}"))
        .contains("http.trustedProxies[1]").contains("proxy.example");
    assertThat(error("{\"http\": {\"trustedProxies\": [\"10.0.0.0/33\"]}, " + q + "}"))
        .contains("http.trustedProxies[0]").contains("0 to 32");
    assertThat(error("{\"metrics\": {\"token\": \"short\"}, " + q + "}")).contains("metrics.token");
    assertThat(error("{\"metrics\": {\"allowFrom\": [\"everyone\"]}, " + q + "}")).contains("metrics.allowFrom[0]");
    assertThat(error("{\"metrics\": {\"tokn\": \"0123456789abcdef\"}, " + q + "}")).contains("metrics.tokn");

    AppConfig fromEnv = ConfigLoader.parse("{" + q + "}", SRC,
        Map.of(ConfigLoader.ENV_METRICS_TOKEN, "env-token-0123456789"));
    assertThat(fromEnv.access().metricsToken()).isEqualTo("env-token-0123456789");
  }

  @Test
  void theAccessLogAndTheLogFormatAreReadAndChecked() {
    String q = "\"queues\": [{\"name\": \"general\", \"title\": \"Ask\"}]";
    assertThat(parse("{" + q + "}").access().accessLog()).isFalse();
    assertThat(parse("{\"http\": {\"accessLog\": true}, " + q + "}").access().accessLog()).isTrue();
    assertThat(error("{\"http\": {\"accessLog\": \"yes\"}, " + q + "}")).contains("http.accessLog");
    assertThat(ConfigLoader.parse("{\"http\": {\"accessLog\": true}, " + q + "}", SRC,
        Map.of(ConfigLoader.ENV_ACCESS_LOG, "false")).access().accessLog()).isFalse();
    assertThat(ConfigLoader.parse("{" + q + "}", SRC, Map.of(ConfigLoader.ENV_ACCESS_LOG, "true")).access().accessLog())
        .isTrue();
    assertThatThrownBy(() -> ConfigLoader.parse("{" + q + "}", SRC, Map.of(ConfigLoader.ENV_ACCESS_LOG, "on")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SWITCHBOARD_ACCESS_LOG").hasMessageContaining("\"on\"");
    assertThat(ConfigLoader.parse("{" + q + "}", SRC, Map.of(ConfigLoader.ENV_LOG_FORMAT, "json"))).isNotNull();
    assertThatThrownBy(() -> ConfigLoader.parse("{" + q + "}", SRC, Map.of(ConfigLoader.ENV_LOG_FORMAT, "xml")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SWITCHBOARD_LOG_FORMAT")
        .hasMessageContaining("text or json");
  }

  // ---------------------------------------------------------------- helpers

  private static AppConfig parse(String json) {
    return ConfigLoader.parse(json, SRC, Map.of());
  }

  private static String error(String json) {
    try {
      AppConfig c = parse(json);
      throw new AssertionError("expected a ConfigException, got " + c);
    } catch (ConfigException e) {
      return e.getMessage();
    }
  }

  private static String queues(String queues) {
    return "{\"queues\": [" + queues + "]}";
  }

  private static String operators(String operators) {
    return "{\"queues\": [{\"name\": \"general\", \"title\": \"Ask\"}], \"operators\": [" + operators + "]}";
  }
}
