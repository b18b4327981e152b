package switchboard.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * When sweeps and timers may trust presence again: at once after a short outage (no key can have
 * expired, so a rollover due meanwhile fires as soon as the store answers), only after settling
 * after a long one, after a start, or after the store lost its data.
 */
class PresenceHealthTest {
  private static final Duration SETTLE = Duration.ofMillis(600);
  private static final Duration KEYS_OUTLIVE = Duration.ofSeconds(9);

  private final MovingClock clock = new MovingClock();
  private final PresenceHealth health = new PresenceHealth(clock, SETTLE, KEYS_OUTLIVE);

  @Test
  void aStartingNodeSettlesFirst() {
    assertThat(health.settled()).isFalse();
    health.beatSucceeded();
    assertThat(health.settled()).isFalse();
    clock.pass(SETTLE);
    assertThat(health.settled()).isTrue();
  }

  @Test
  void aShortOutageNeedsNoSettling() {
    settledAfterStart();
    clock.pass(Duration.ofSeconds(5));
    health.beatFailed();
    assertThat(health.settled()).as("while the store is away").isFalse();
    clock.pass(Duration.ofSeconds(3));
    health.beatSucceeded(); // 8 s after the last good beat: every key still exists
    assertThat(health.settled()).isTrue();
    assertThat(health.recoveries()).isEqualTo(2);
  }

  @Test
  void aLongOutageSettlesAgain() {
    settledAfterStart();
    health.beatFailed();
    clock.pass(Duration.ofSeconds(12)); // keys of this node or another may have expired
    health.beatSucceeded();
    assertThat(health.settled()).isFalse();
    clock.pass(SETTLE.minusMillis(1));
    assertThat(health.settled()).isFalse();
    clock.pass(Duration.ofMillis(1));
    assertThat(health.settled()).isTrue();
  }

  @Test
  void aStoreThatLostItsDataSettlesHoweverShortTheGap() {
    settledAfterStart();
    health.presenceLost();
    clock.pass(Duration.ofMillis(100));
    health.beatSucceeded();
    assertThat(health.settled()).isFalse();
    clock.pass(SETTLE);
    assertThat(health.settled()).isTrue();
  }

  private void settledAfterStart() {
    health.beatSucceeded();
    clock.pass(SETTLE);
    assertThat(health.settled()).isTrue();
  }

  private static final class MovingClock extends Clock {
    private Instant now = Instant.parse("2026-12-05T10:00:00Z");

    void pass(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
