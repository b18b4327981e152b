package switchboard.routing;

/** The timers routing keeps in the state store, keyed {@code kind:chatId}. */
enum TimerKind {
  /** The offer has rung on its newest queue for rolloverAfterSeconds: widen. */
  ROLLOVER("rollover"),
  /** The queue's maxWaitSeconds passed while offered: missed. */
  MAX_WAIT("maxwait"),
  /** The guest's last socket closed and they did not resume. */
  GUEST_GRACE("guestgrace"),
  /** The holding operator's last console closed and they did not come back. */
  OPERATOR_GRACE("opgrace");

  private final String prefix;

  TimerKind(String prefix) {
    this.prefix = prefix;
  }

  String key(String chatId) {
    return prefix + ":" + chatId;
  }

  static TimerKind of(String key) {
    String prefix = key.substring(0, key.indexOf(':'));
    for (TimerKind kind : values()) {
      if (kind.prefix.equals(prefix)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown timer " + key);
  }

  static String chatId(String key) {
    return key.substring(key.indexOf(':') + 1);
  }
}
