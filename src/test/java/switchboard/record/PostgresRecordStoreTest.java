package switchboard.record;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import switchboard.config.RecordSettings;

/** The production record: a real PostgreSQL the tests start (see {@link PostgresServer}), a new database each test. */
class PostgresRecordStoreTest extends JdbcRecordStoreContract {
  @Override
  protected Future<RecordStore> newRecord(Vertx vertx) {
    return JdbcRecordStore.open(vertx, new RecordSettings(PostgresServer.newDatabase(), null, null)).map(r -> r);
  }
}
