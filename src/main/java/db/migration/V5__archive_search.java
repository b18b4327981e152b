package db.migration;

import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The archive search (issue 16): each ended chat's words (its messages and its rating comment)
 * indexed as one document, each database its own way: SQLite an FTS5 table whose rowid is the
 * chat's {@code words_row}, PostgreSQL a {@code tsvector} column with a GIN index. And one index
 * that covers every filter, so counting what matches never reads the chats' documents. Java
 * rather than SQL because the two databases differ.
 */
public class V5__archive_search extends BaseJavaMigration {
  @Override
  public void migrate(Context context) throws Exception {
    boolean postgres = context.getConnection().getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
    try (Statement s = context.getConnection().createStatement()) {
      s.execute("CREATE INDEX chats_archive ON chats"
          + " (created_at, ended_at, operator_id, recorded_queue, answered_queue, rating, resolution)");
      if (postgres) {
        s.execute("ALTER TABLE chats ADD COLUMN words tsvector");
        s.execute("UPDATE chats c SET words = to_tsvector('simple', COALESCE((SELECT string_agg(m.body, ' ' ORDER BY m.seq)"
            + " FROM messages m WHERE m.chat_id = c.id), '') || ' ' || COALESCE(c.rating_comment, ''))"
            + " WHERE c.ended_at IS NOT NULL");
        s.execute("CREATE INDEX chats_words ON chats USING GIN (words)");
        return;
      }
      s.execute("ALTER TABLE chats ADD COLUMN words_row INTEGER");
      s.execute("CREATE VIRTUAL TABLE chat_words USING fts5(body, tokenize='unicode61 remove_diacritics 2')");
      s.execute("UPDATE chats SET words_row = rowid WHERE ended_at IS NOT NULL");
      s.execute("CREATE UNIQUE INDEX chats_by_words_row ON chats (words_row)");
      s.execute("INSERT INTO chat_words(rowid, body) SELECT c.words_row, COALESCE((SELECT group_concat(m.body, ' ')"
          + " FROM messages m WHERE m.chat_id = c.id), '') || ' ' || COALESCE(c.rating_comment, '')"
          + " FROM chats c WHERE c.words_row IS NOT NULL");
    }
  }
}
