package switchboard.record;

import switchboard.config.RecordSettings;

/** The production record: a real PostgreSQL the tests start (see {@link PostgresServer}), a new database each test. */
class PostgresRecordStoreTest extends JdbcRecordStoreContract {
  @Override
  protected RecordSettings freshDatabase() {
    return new RecordSettings(PostgresServer.newDatabase(), null, null);
  }
}
