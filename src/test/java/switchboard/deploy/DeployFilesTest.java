package switchboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import switchboard.config.AppConfig;
import switchboard.config.ConfigLoader;
import switchboard.config.RedisTarget;

/**
 * Issue 17: the deploy files, read as Docker and systemd would (this machine runs no Docker
 * daemon, so the image is not built here): the compose file's services and their settings, a
 * node's configuration as compose hands it over, the image's user and health check, nginx's
 * upstreams (its headers run for real in NginxProxyTest), the unit's command.
 */
class DeployFilesTest {
  private static final Path DEPLOY = Path.of("deploy");

  @Test
  void composeRunsTwoNodesOnRedisAndPostgresBehindNginx() throws Exception {
    JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(DEPLOY.resolve("compose.yaml").toFile());
    JsonNode services = compose.path("services");
    assertThat(services.fieldNames()).toIterable().containsExactlyInAnyOrder("redis", "postgres", "node-a", "node-b", "nginx");
    String redis = services.path("redis").path("command").toString();
    assertThat(redis).contains("--appendonly", "yes").contains("--maxmemory-policy", "noeviction");

    for (String node : List.of("node-a", "node-b")) {
      JsonNode env = services.path(node).path("environment");
      assertThat(env.path("SWITCHBOARD_NODE_ID").asText()).isEqualTo(node);
      assertThat(env.path("SWITCHBOARD_REDIS_URL").asText()).isEqualTo("redis://redis:6379");
      assertThat(env.path("SWITCHBOARD_RECORD_URL").asText()).isEqualTo("jdbc:postgresql://postgres:5432/switchboard");
      assertThat(services.path(node).path("volumes").toString()).contains("./config.json:/etc/switchboard/config.json");

      // the node's configuration, as the container gets it, starts
      Map<String, String> vars = new HashMap<>();
      env.fields().forEachRemaining(e -> vars.put(e.getKey(), e.getValue().asText()));
      AppConfig config = ConfigLoader.load(DEPLOY.resolve("config.json"), vars);
      assertThat(config.nodeId()).isEqualTo(node);
      assertThat(config.redis()).isEqualTo(RedisTarget.single("redis://redis:6379"));
      assertThat(config.record().url()).startsWith("jdbc:postgresql://postgres:5432/");
    }
    assertThat(services.path("nginx").path("volumes").toString()).contains("./nginx.conf:/etc/nginx/conf.d/default.conf");
    assertThat(services.path("nginx").path("ports").toString()).contains("8080:80");
  }

  @Test
  void theImageRunsAsAUserWithAHealthCheckAndNginxPassesWebSocketsAndTheClient() throws Exception {
    String dockerfile = Files.readString(Path.of("Dockerfile"));
    assertThat(dockerfile).contains("FROM eclipse-temurin:17-jre").contains("USER switchboard")
        .contains("HEALTHCHECK").contains("/health/live").contains("EXPOSE 8080").contains("VOLUME /data");

    // its headers are tried for real by NginxProxyTest; here, that it reaches compose's two nodes
    // and keeps hour-long chat sockets open
    String nginx = Files.readString(DEPLOY.resolve("nginx.conf"));
    assertThat(nginx).contains("server node-a:8080").contains("server node-b:8080").contains("proxy_read_timeout 3600s;");

    String unit = Files.readString(DEPLOY.resolve("switchboard.service"));
    assertThat(unit).contains("[Service]").contains("User=switchboard")
        .contains("ExecStart=/usr/bin/java").contains("-jar /opt/switchboard/switchboard.jar -conf /etc/switchboard/config.json")
        .contains("Restart=on-failure").contains("WantedBy=multi-user.target");
  }
}
