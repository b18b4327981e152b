package switchboard.record;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import switchboard.domain.Chat;
import switchboard.domain.ChatEvent;
import switchboard.domain.ChatMessage;
import switchboard.store.RedisServer;
import switchboard.store.RedisStateStore;

/** The record kept in Redis ({@code "record": {"url": "none"}} with several nodes), a private redis-server. */
class RedisStateStoreRecordTest extends RecordStoreContract {
  private static RedisServer server;
  private RedisStateStore store;

  @BeforeAll
  static void startRedis() {
    server = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    server.close();
  }

  @Override
  protected Future<RecordStore> newRecord(Vertx vertx) {
    return RedisStateStore.connect(vertx, server.url(), "record-" + UUID.randomUUID() + ":", "node-test").map(s -> {
      store = s;
      return new StateStoreRecord(s, "redis");
    });
  }

  @Override
  protected void given(Chat chat, List<ChatMessage> messages, List<ChatEvent> timeline) {
    InMemoryStateStoreRecordTest.put(store, chat, messages, timeline);
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      await(store.close());
    }
  }
}
