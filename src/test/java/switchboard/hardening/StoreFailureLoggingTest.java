package switchboard.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import switchboard.bus.ClientError;
import switchboard.bus.ErrorCode;
import switchboard.bus.Replies;
import switchboard.e2e.TestNode;

/**
 * What a bus handler's failure looks like in the log: a store that did not answer or could not be
 * reached is expected during an outage (one WARN line, no stack trace, and the client still gets
 * `unavailable`); anything else is a bug (ERROR with its stack trace); a client's own mistake is
 * not logged at all.
 */
class StoreFailureLoggingTest {
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    TestNode.await(vertx.close(), Duration.ofSeconds(10));
  }

  @Test
  void anUnreachableStoreIsAWarningAndABugIsAnError() {
    Future<Object> neverAnswered = Promise.<Object>promise().future().timeout(10, TimeUnit.MILLISECONDS);
    assertThat(logged("test.timeout", () -> neverAnswered)).singleElement().satisfies(line -> {
      assertThat(line).startsWith("WARN switchboard.bus.Replies test.timeout failed: the store is unreachable");
      assertThat(line).as("no stack trace").doesNotContain(" | ");
    });
    assertThat(logged("test.refused", () -> Future.failedFuture(new ConnectException("Connection refused"))))
        .singleElement().asString().startsWith("WARN switchboard.bus.Replies test.refused failed");
    assertThat(logged("test.downstream", () -> Future.failedFuture(
        new ReplyException(io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE, ErrorCode.unavailable.ordinal(),
            "the server could not do that just now; please retry"))))
        .singleElement().asString().startsWith("WARN ");

    assertThat(logged("test.bug", () -> Future.failedFuture(new IllegalStateException("chat c1 kept changing"))))
        .singleElement().satisfies(line -> {
          assertThat(line).startsWith("ERROR switchboard.bus.Replies test.bug failed");
          assertThat(line).contains("IllegalStateException: chat c1 kept changing");
        });
    assertThat(logged("test.npe", () -> {
      throw new NullPointerException("a bug");
    })).singleElement().asString().startsWith("ERROR ");

    assertThat(logged("test.client", () -> Future.failedFuture(new ClientError(ErrorCode.forbidden, "not yours"))))
        .isEmpty();
  }

  /** Serves one request on {@code address} with {@code handler}; returns the lines Replies logged. */
  private List<String> logged(String address, Supplier<Future<Object>> handler) {
    try (LogCapture logs = LogCapture.capture()) {
      vertx.eventBus().<String>consumer(address, msg -> Replies.serve(msg, body -> handler.get()));
      Throwable failure = TestNode.await(vertx.eventBus().request(address, "x")
          .transform(ar -> Future.succeededFuture(ar.cause())));
      assertThat(failure).isInstanceOf(ReplyException.class);
      int code = ((ReplyException) failure).failureCode();
      if (!address.equals("test.client")) {
        assertThat(code).as("the client is told to retry").isEqualTo(ErrorCode.unavailable.ordinal());
      }
      return logs.lines().stream().filter(l -> l.contains(" switchboard.bus.Replies ")).toList();
    }
  }
}
