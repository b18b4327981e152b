package switchboard.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OfficeHoursTest {
  // Mondays and Saturdays (with a lunch break) in New York; closed on Christmas
  private final OfficeHours hours = OfficeHours.parse(Map.of(
      "timeZone", "America/New_York",
      "weekly", Map.of("mon", List.of("09:00-17:00"), "sat", List.of("13:00-16:00", "10:00-12:00")),
      "closed", List.of("2026-12-28")));

  @Test
  void openInsideItsSpansInItsOwnTimeZone() {
    // Monday 2026-11-30 09:30 in New York is 14:30 UTC
    assertThat(hours.isOpen(Instant.parse("2026-11-30T14:30:00Z"))).isTrue();
    assertThat(hours.isOpen(Instant.parse("2026-11-30T13:59:59Z"))).isFalse();
    assertThat(hours.isOpen(Instant.parse("2026-11-30T22:00:00Z"))).as("17:00 is closing time").isFalse();
    assertThat(hours.isOpen(Instant.parse("2026-12-05T17:30:00Z"))).as("Saturday lunch").isFalse();
    assertThat(hours.isOpen(Instant.parse("2026-12-05T18:30:00Z"))).as("Saturday 13:30").isTrue();
    assertThat(hours.isOpen(Instant.parse("2026-12-01T15:00:00Z"))).as("a Tuesday").isFalse();
    assertThat(hours.isOpen(Instant.parse("2026-12-28T15:00:00Z"))).as("a closed Monday").isFalse();
  }

  @Test
  void saysWhenItOpensNext() {
    // Tuesday evening → Saturday 10:00 New York (15:00 UTC)
    assertThat(hours.nextOpening(Instant.parse("2026-12-01T23:00:00Z")))
        .contains(Instant.parse("2026-12-05T15:00:00Z"));
    // Saturday lunch → 13:00 the same day
    assertThat(hours.nextOpening(Instant.parse("2026-12-05T17:30:00Z")))
        .contains(Instant.parse("2026-12-05T18:00:00Z"));
    // the closed Monday is skipped for the Saturday after
    assertThat(hours.nextOpening(Instant.parse("2026-12-27T23:00:00Z")))
        .contains(Instant.parse("2027-01-02T15:00:00Z"));
    assertThat(hours.nextOpening(Instant.parse("2026-11-30T14:30:00Z"))).as("open now").isEmpty();
  }

  @Test
  void badHoursNameTheField() {
    assertThatThrownBy(() -> OfficeHours.parse(Map.of("timeZone", "Mars/Olympus")))
        .hasMessageStartingWith("timeZone: unknown time zone");
    assertThatThrownBy(() -> OfficeHours.parse(Map.of("timeZone", "UTC", "weekly", Map.of("mon", List.of("17:00-09:00")))))
        .hasMessageStartingWith("weekly.mon[0]: expected a range");
    assertThatThrownBy(() -> OfficeHours.parse(Map.of("timeZone", "UTC", "weekly", Map.of("monday", List.of()))))
        .hasMessageStartingWith("weekly.monday: days are");
    assertThatThrownBy(() -> OfficeHours.parse(Map.of("timeZone", "UTC", "closed", List.of("Christmas"))))
        .hasMessageStartingWith("closed[0]");
  }
}
