package switchboard.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import switchboard.config.RecordSettings;

/**
 * Export and import of a whole record as JSON lines, to move from SQLite to PostgreSQL (or back, or
 * to a new server): one line per row, {@code {"table":"chats","row":{…}}}, tables in an order an
 * import can follow. An import migrates the target's schema first and keeps rows it has already
 * (same key), so running it twice changes nothing. Blocking: a command-line tool, not for a node's
 * event loop.
 */
public final class RecordTransfer {
  /** Every table of the record, in the order they are written. */
  static final List<String> TABLES = List.of("directory", "canned_responses", "offline_messages", "audit", "chats",
      "timelines", "messages", "message_chunks");
  private static final Map<String, String> KEYS = Map.of("directory", "id", "canned_responses", "id",
      "offline_messages", "id", "audit", "id", "chats", "id", "timelines", "chat_id", "messages", "chat_id, seq", "message_chunks", "chat_id, first_seq, last_seq");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Columns an import derives again (the archive's word index), so neither exported nor imported. */
  private static final Set<String> DERIVED = Set.of("words_row", "words");

  private RecordTransfer() {}

  /** Writes every row of the record at {@code from}; answers how many. */
  public static long export(RecordSettings from, PrintStream out) throws IOException, SQLException {
    long rows = 0;
    try (HikariDataSource pool = JdbcRecordStore.connect(from, poolSize(from)); Connection c = pool.getConnection()) {
      for (String table : TABLES) {
        try (PreparedStatement s = c.prepareStatement("SELECT * FROM " + table + " ORDER BY " + KEYS.get(table));
            ResultSet r = s.executeQuery()) {
          ResultSetMetaData meta = r.getMetaData();
          while (r.next()) {
            ObjectNode row = JSON.createObjectNode();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
              String column = meta.getColumnName(i).toLowerCase();
              if (DERIVED.contains(column)) {
                continue;
              }
              Object value = r.getObject(i);
              if (value == null) {
                row.putNull(column);
              } else if (isBoolean(meta, i)) {
                boolean truth = value instanceof Boolean b ? b : ((Number) value).intValue() != 0;
                row.put(column, truth);
              } else if (value instanceof Number n) {
                row.put(column, n.longValue());
              } else {
                row.put(column, value.toString());
              }
            }
            ObjectNode line = JSON.createObjectNode().put("table", table);
            line.set("row", row);
            out.println(JSON.writeValueAsString(line));
            rows++;
          }
        }
      }
    }
    out.flush();
    return rows;
  }

  /** Reads lines written by {@link #export} into the record at {@code to}; answers how many rows were new. */
  public static long importInto(RecordSettings to, BufferedReader in) throws IOException, SQLException {
    long added = 0;
    try (HikariDataSource pool = JdbcRecordStore.connect(to, poolSize(to)); Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      Map<String, Map<String, Integer>> types = new LinkedHashMap<>();
      String text;
      int lineNo = 0;
      while ((text = in.readLine()) != null) {
        lineNo++;
        if (text.isBlank()) {
          continue;
        }
        JsonNode line;
        try {
          line = JSON.readTree(text);
        } catch (IOException e) {
          throw new IOException("line " + lineNo + ": not JSON: " + e.getMessage(), e);
        }
        String table = line.path("table").asText("");
        if (!TABLES.contains(table) || !line.path("row").isObject()) {
          throw new IOException("line " + lineNo + ": expected {\"table\": one of " + TABLES + ", \"row\": {…}}");
        }
        Map<String, Integer> columns = types.computeIfAbsent(table, t -> columnTypes(c, t));
        List<String> names = new ArrayList<>();
        List<JsonNode> values = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = line.get("row").fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> field = it.next();
          if (!columns.containsKey(field.getKey())) {
            throw new IOException("line " + lineNo + ": table " + table + " has no column " + field.getKey());
          }
          names.add(field.getKey());
          values.add(field.getValue());
        }
        String sql = "INSERT INTO " + table + " (" + String.join(", ", names) + ") VALUES ("
            + String.join(", ", names.stream().map(n -> "?").toList()) + ") ON CONFLICT (" + KEYS.get(table)
            + ") DO NOTHING";
        try (PreparedStatement s = c.prepareStatement(sql)) {
          for (int i = 0; i < names.size(); i++) {
            bind(s, i + 1, values.get(i), columns.get(names.get(i)));
          }
          added += s.executeUpdate();
        }
      }
      JdbcRecordStore.indexMissingWords(c, to.sqlite());
      c.commit();
    }
    return added;
  }

  /** Flyway holds a second connection for its lock on PostgreSQL. */
  private static int poolSize(RecordSettings settings) {
    return settings.sqlite() ? 1 : 2;
  }

  private static void bind(PreparedStatement s, int index, JsonNode value, int sqlType) throws SQLException {
    if (value == null || value.isNull()) {
      s.setNull(index, sqlType);
    } else if (sqlType == Types.BOOLEAN || sqlType == Types.BIT) {
      s.setBoolean(index, value.isBoolean() ? value.booleanValue() : value.asLong() != 0);
    } else if (value.isNumber()) {
      s.setLong(index, value.longValue());
    } else {
      s.setString(index, value.asText());
    }
  }

  private static Map<String, Integer> columnTypes(Connection c, String table) {
    try (PreparedStatement s = c.prepareStatement("SELECT * FROM " + table + " WHERE 1 = 0");
        ResultSet r = s.executeQuery()) {
      ResultSetMetaData meta = r.getMetaData();
      Map<String, Integer> types = new LinkedHashMap<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        types.put(meta.getColumnName(i).toLowerCase(), isBoolean(meta, i) ? Types.BOOLEAN : meta.getColumnType(i));
      }
      return types;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the columns of " + table + ": " + e.getMessage(), e);
    }
  }

  /** SQLite reports a BOOLEAN column by its declared name, PostgreSQL as BIT or BOOLEAN. */
  private static boolean isBoolean(ResultSetMetaData meta, int i) throws SQLException {
    int type = meta.getColumnType(i);
    return type == Types.BOOLEAN || type == Types.BIT || "BOOLEAN".equalsIgnoreCase(meta.getColumnTypeName(i))
        || "bool".equalsIgnoreCase(meta.getColumnTypeName(i));
  }
}
