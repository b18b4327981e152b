package db.migration;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Stats read columns, not documents (issue 15): when the chat was answered, the queues it rang on
 * and the guest's name get columns of their own, filled from the documents already recorded. Java
 * rather than SQL because SQLite and PostgreSQL read JSON with different functions.
 */
public class V3__chat_figures extends BaseJavaMigration {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  @Override
  public void migrate(Context context) throws Exception {
    Connection c = context.getConnection();
    try (Statement s = c.createStatement()) {
      s.execute("ALTER TABLE chats ADD COLUMN accepted_at BIGINT");
      s.execute("ALTER TABLE chats ADD COLUMN offered_queues VARCHAR(4000)");
      s.execute("ALTER TABLE chats ADD COLUMN guest_name VARCHAR(500)");
      s.execute("CREATE INDEX chats_by_queue ON chats (recorded_queue, created_at)");
    }
    List<Object[]> rows = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT id, doc FROM chats")) {
      while (r.next()) {
        JsonNode doc = JSON.readTree(r.getString(2));
        JsonNode accepted = doc.path("acceptedAt");
        List<String> offered = new ArrayList<>();
        doc.path("offeredQueues").forEach(q -> offered.add(q.asText()));
        JsonNode name = doc.path("guest").path("name");
        rows.add(new Object[] {r.getString(1),
            accepted.isTextual() ? micros(Instant.parse(accepted.asText())) : null,
            String.join(",", offered), name.isTextual() ? name.asText() : null});
      }
    }
    try (PreparedStatement s = c.prepareStatement(
        "UPDATE chats SET accepted_at = ?, offered_queues = ?, guest_name = ? WHERE id = ?")) {
      for (Object[] row : rows) {
        if (row[1] == null) {
          s.setNull(1, java.sql.Types.BIGINT);
        } else {
          s.setLong(1, (Long) row[1]);
        }
        s.setString(2, (String) row[2]);
        s.setString(3, (String) row[3]);
        s.setString(4, (String) row[0]);
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
  }
}
