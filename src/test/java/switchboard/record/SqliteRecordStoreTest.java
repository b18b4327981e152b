package switchboard.record;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import switchboard.config.RecordSettings;

/** The embedded record: a SQLite file in a folder that does not exist yet (created on first start). */
class SqliteRecordStoreTest extends JdbcRecordStoreContract {
  @TempDir
  Path folder;

  @Override
  protected Future<RecordStore> newRecord(Vertx vertx) {
    String file = folder.resolve("data/switchboard.db").toString();
    return JdbcRecordStore.open(vertx, new RecordSettings("jdbc:sqlite:" + file, null, null)).map(r -> r);
  }
}
