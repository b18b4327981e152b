package switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import switchboard.Version;

/** Issue 17: a host can tell which version answers, from /health, as the build wrote it. */
@ExtendWith(VertxExtension.class)
class VersionTest {

  @Test
  void healthSaysWhichVersionAnswers(Vertx vertx) {
    assertThat(Version.current()).as("filled in by the build").matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    TestNode node = TestNode.start(vertx);
    assertThat(node.get("/health/live").json().getString("version")).isEqualTo(Version.current());
    assertThat(node.get("/health/ready").json().getString("version")).isEqualTo(Version.current());
  }
}
