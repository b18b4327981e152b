package switchboard.domain;

import java.time.Instant;

/**
 * One step of a chat's rollover timeline: asked, offered, widened, accepted, transferred,
 * returned (its operator was lost), closed, abandoned, missed.
 *
 * @param queue    the queue the step is about, when there is one
 * @param operator the operator the step is about (who accepted, closed, or was transferred to)
 */
public record ChatEvent(Instant at, String kind, String queue, String operator) {
  public static final String ASKED = "asked";
  public static final String OFFERED = "offered";
  public static final String WIDENED = "widened";
  public static final String ACCEPTED = "accepted";
  public static final String TRANSFERRED = "transferred";
  public static final String RETURNED = "returned";
}
