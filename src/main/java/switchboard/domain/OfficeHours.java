package switchboard.domain;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * When a queue takes chats, in its own time zone (DESIGN §1 {@code hours}). Outside them
 * the queue is unavailable whatever its operators do. In the config:
 * <pre>{"timeZone": "America/New_York",
 *  "weekly": {"mon": ["09:00-17:00"], "sat": ["10:00-12:00", "13:00-16:00"]},
 *  "closed": ["2026-12-25"]}</pre>
 * A day not listed in {@code weekly} is closed; {@code closed} lists whole days off.
 */
public record OfficeHours(ZoneId zone, Map<DayOfWeek, List<Span>> weekly, Set<LocalDate> closedDays) {

  public record Span(LocalTime from, LocalTime to) {}

  private static final Map<String, DayOfWeek> DAYS = Map.of("mon", DayOfWeek.MONDAY, "tue", DayOfWeek.TUESDAY,
      "wed", DayOfWeek.WEDNESDAY, "thu", DayOfWeek.THURSDAY, "fri", DayOfWeek.FRIDAY, "sat", DayOfWeek.SATURDAY,
      "sun", DayOfWeek.SUNDAY);

  /** Reads the config's map; an IllegalArgumentException's message starts with the field at fault. */
  @SuppressWarnings("unchecked")
  public static OfficeHours parse(Map<String, Object> hours) {
    for (String key : hours.keySet()) {
      if (!Set.of("timeZone", "weekly", "closed").contains(key)) {
        throw new IllegalArgumentException(key + ": unknown field (expected timeZone, weekly, closed)");
      }
    }
    if (!(hours.get("timeZone") instanceof String zoneName)) {
      throw new IllegalArgumentException("timeZone: required, e.g. \"America/New_York\"");
    }
    ZoneId zone;
    try {
      zone = ZoneId.of(zoneName);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("timeZone: unknown time zone \"" + zoneName + "\"");
    }
    Map<DayOfWeek, List<Span>> weekly = new EnumMap<>(DayOfWeek.class);
    if (!(hours.getOrDefault("weekly", Map.of()) instanceof Map<?, ?> week)) {
      throw new IllegalArgumentException("weekly: expected an object such as {\"mon\": [\"09:00-17:00\"]}");
    }
    for (Map.Entry<?, ?> day : week.entrySet()) {
      String key = String.valueOf(day.getKey()).toLowerCase(Locale.ROOT);
      DayOfWeek dow = DAYS.get(key);
      if (dow == null) {
        throw new IllegalArgumentException("weekly." + day.getKey() + ": days are mon, tue, wed, thu, fri, sat, sun");
      }
      if (!(day.getValue() instanceof List<?> ranges)) {
        throw new IllegalArgumentException("weekly." + key + ": expected a list such as [\"09:00-17:00\"]");
      }
      List<Span> spans = new ArrayList<>();
      for (int i = 0; i < ranges.size(); i++) {
        spans.add(span(ranges.get(i), "weekly." + key + "[" + i + "]"));
      }
      spans.sort((a, b) -> a.from().compareTo(b.from()));
      weekly.put(dow, List.copyOf(spans));
    }
    Set<LocalDate> closed = new java.util.TreeSet<>();
    if (!(hours.getOrDefault("closed", List.of()) instanceof List<?> days)) {
      throw new IllegalArgumentException("closed: expected a list of dates such as [\"2026-12-25\"]");
    }
    for (int i = 0; i < days.size(); i++) {
      try {
        closed.add(LocalDate.parse(String.valueOf(days.get(i))));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("closed[" + i + "]: expected a date like 2026-12-25");
      }
    }
    return new OfficeHours(zone, weekly, Set.copyOf(closed));
  }

  private static Span span(Object value, String field) {
    String text = String.valueOf(value);
    String[] parts = text.split("-");
    try {
      if (parts.length == 2) {
        LocalTime from = LocalTime.parse(parts[0].trim());
        LocalTime to = parts[1].trim().equals("24:00") ? LocalTime.MAX : LocalTime.parse(parts[1].trim());
        if (from.isBefore(to)) {
          return new Span(from, to);
        }
      }
    } catch (DateTimeParseException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(field + ": expected a range like \"09:00-17:00\", got \"" + text + "\"");
  }

  public boolean isOpen(Instant at) {
    ZonedDateTime local = at.atZone(zone);
    if (closedDays.contains(local.toLocalDate())) {
      return false;
    }
    LocalTime time = local.toLocalTime();
    return weekly.getOrDefault(local.getDayOfWeek(), List.of()).stream()
        .anyMatch(s -> !time.isBefore(s.from()) && time.isBefore(s.to()));
  }

  /** When the queue opens next after {@code at} (looking two weeks ahead), if it is closed now. */
  public Optional<Instant> nextOpening(Instant at) {
    if (isOpen(at)) {
      return Optional.empty();
    }
    ZonedDateTime local = at.atZone(zone);
    for (int d = 0; d <= 14; d++) {
      LocalDate date = local.toLocalDate().plusDays(d);
      if (closedDays.contains(date)) {
        continue;
      }
      for (Span span : weekly.getOrDefault(date.getDayOfWeek(), List.of())) {
        Instant opens = date.atTime(span.from()).atZone(zone).toInstant();
        if (opens.isAfter(at)) {
          return Optional.of(opens);
        }
      }
    }
    return Optional.empty();
  }
}
