package switchboard.domain;

import java.util.List;

/**
 * How a chat went (issue 16): the guest's rating (1 to 5) and comment after it ended, where its
 * queue asks for one, and the resolution code its operator set, as cooperative reference counts
 * them. Any part may be null.
 */
public record Outcome(Integer rating, String comment, String resolution, String resolvedBy) {
  /** Resolution codes, in the order the console offers them. */
  public static final List<String> RESOLUTIONS =
      List.of("answered", "referred", "follow-up", "follow-up-home", "lost", "practice");
  public static final int LOWEST_RATING = 1;
  public static final int HIGHEST_RATING = 5;
  public static final Outcome NONE = new Outcome(null, null, null, null);

  public Outcome rated(int rating, String comment) {
    return new Outcome(rating, comment, resolution, resolvedBy);
  }

  public Outcome resolved(String resolution, String by) {
    return new Outcome(rating, comment, resolution, by);
  }
}
