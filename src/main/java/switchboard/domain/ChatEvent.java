package switchboard.domain;

import java.time.Instant;

/**
 * One step of a chat's rollover timeline: asked, offered, widened, accepted, transferred,
 * returned (its operator was lost), closed, abandoned, missed; and staff's internal notes.
 * Staff only: the guest never sees the timeline.
 *
 * @param queue    the queue the step is about, when there is one
 * @param operator the operator the step is about (who accepted, closed, was transferred to, wrote the note)
 * @param text     a note's text, or a transfer's note for the next operator; else null
 */
public record ChatEvent(Instant at, String kind, String queue, String operator, String text) {
  public static final String NOTE = "note";

  public ChatEvent(Instant at, String kind, String queue, String operator) {
    this(at, kind, queue, operator, null);
  }

  public static final String ASKED = "asked";
  public static final String OFFERED = "offered";
  public static final String WIDENED = "widened";
  public static final String ACCEPTED = "accepted";
  public static final String TRANSFERRED = "transferred";
  public static final String RETURNED = "returned";
}
