package switchboard;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;

/**
 * A clock whose instants are whole microseconds: what Redis' scores and the record keep, so a time
 * reads back as it was written. Not {@code Clock.tick(base, 1 µs)}: on JDK 17 its {@code millis()}
 * divides by zero for ticks under a millisecond.
 */
public final class MicrosecondClock extends Clock {
  private final Clock base;

  public MicrosecondClock(Clock base) {
    this.base = base;
  }

  @Override
  public Instant instant() {
    return base.instant().truncatedTo(ChronoUnit.MICROS);
  }

  @Override
  public long millis() {
    return base.millis();
  }

  @Override
  public ZoneId getZone() {
    return base.getZone();
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return new MicrosecondClock(base.withZone(zone));
  }
}
