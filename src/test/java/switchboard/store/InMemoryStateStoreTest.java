package switchboard.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** The reference store against the contract. */
class InMemoryStateStoreTest extends StateStoreContractTest {
  @Override
  protected Future<StateStore> newStore(Vertx vertx) {
    return Future.succeededFuture(new InMemoryStateStore());
  }
}
