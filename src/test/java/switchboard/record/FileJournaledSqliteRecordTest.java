package switchboard.record;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import switchboard.config.RecordSettings;

/**
 * The record of the README's one-node set-up: SQLite with acknowledged messages journaled to files
 * first ({@link FileJournaledRecord}), held to the same contract as the database alone. Drained only
 * before other calls, so every read in the contract goes through the journal's catch-up.
 */
class FileJournaledSqliteRecordTest extends JdbcRecordStoreContract {
  @TempDir
  Path folder;
  private int databases;

  @Override
  protected RecordSettings freshDatabase() {
    return new RecordSettings("jdbc:sqlite:" + folder.resolve("data/journaled-" + (++databases) + ".db"), null, null);
  }

  @Override
  protected Future<RecordStore> newRecord(Vertx vertx) {
    RecordSettings settings = freshDatabase();
    return JdbcRecordStore.open(vertx, settings)
        .compose(db -> FileJournaledRecord.open(vertx, db, MessageFiles.folderFor(settings), 0));
  }
}
