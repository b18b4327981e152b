package db.migration;

import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Words of messages indexed for the archive search (issue 16), each database its own way:
 * SQLite an FTS5 table over the messages (kept by triggers), PostgreSQL a GIN index of their
 * words ({@code to_tsvector('simple', body)}). Java rather than SQL because the two differ.
 */
public class V5__message_words extends BaseJavaMigration {
  @Override
  public void migrate(Context context) throws Exception {
    boolean postgres = context.getConnection().getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
    try (Statement s = context.getConnection().createStatement()) {
      if (postgres) {
        s.execute("CREATE INDEX messages_words ON messages USING GIN (to_tsvector('simple', body))");
        s.execute("CREATE INDEX chats_by_operator ON chats (operator_id, created_at)");
        return;
      }
      // external content: the text stays in messages; rowids tie the two (after a VACUUM, rebuild:
      // INSERT INTO message_words(message_words) VALUES ('rebuild'))
      s.execute("CREATE VIRTUAL TABLE message_words USING fts5(body, content='messages', content_rowid='rowid',"
          + " tokenize='unicode61 remove_diacritics 2')");
      s.execute("INSERT INTO message_words(rowid, body) SELECT rowid, body FROM messages");
      s.execute("CREATE TRIGGER message_words_added AFTER INSERT ON messages BEGIN"
          + " INSERT INTO message_words(rowid, body) VALUES (new.rowid, new.body); END");
      s.execute("CREATE TRIGGER message_words_removed AFTER DELETE ON messages BEGIN"
          + " INSERT INTO message_words(message_words, rowid, body) VALUES ('delete', old.rowid, old.body); END");
      s.execute("CREATE TRIGGER message_words_changed AFTER UPDATE OF body ON messages BEGIN"
          + " INSERT INTO message_words(message_words, rowid, body) VALUES ('delete', old.rowid, old.body);"
          + " INSERT INTO message_words(rowid, body) VALUES (new.rowid, new.body); END");
      s.execute("CREATE INDEX chats_by_operator ON chats (operator_id, created_at)");
    }
  }
}
