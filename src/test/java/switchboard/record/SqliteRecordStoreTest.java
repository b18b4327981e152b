package switchboard.record;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import switchboard.config.RecordSettings;

/** The embedded record: a SQLite file in a folder that does not exist yet (created on first start). */
class SqliteRecordStoreTest extends JdbcRecordStoreContract {
  @TempDir
  Path folder;
  private int databases;

  @Override
  protected RecordSettings freshDatabase() {
    return new RecordSettings("jdbc:sqlite:" + folder.resolve("data/switchboard-" + (++databases) + ".db"), null, null);
  }
}
