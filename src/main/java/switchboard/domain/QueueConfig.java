package switchboard.domain;

import java.util.List;
import java.util.Map;

/**
 * One answering queue as configured (DESIGN §1, §5).
 *
 * @param backups              queue names tried after this one, in order
 * @param rolloverAfterSeconds how long an offer rings here before it widens to the next queue
 * @param maxWaitSeconds       optional: an offered chat nobody accepts within this time becomes missed
 * @param hours                optional office hours (kept as given; enforced in a later issue)
 * @param skin                 optional widget look (title, colours, greeting)
 * @param form                 what the guest is asked before the chat starts (name, email, question)
 * @param rating               whether the guest is asked to rate the chat once it has ended
 * @param language             the language of the widget and chat box for this queue (one of {@link #LANGUAGES})
 */
public record QueueConfig(
    String name,
    String title,
    List<String> backups,
    int rolloverAfterSeconds,
    Integer maxWaitSeconds,
    Map<String, Object> hours,
    Map<String, Object> skin,
    ChatForm form,
    boolean rating,
    String language) {

  /** The languages the pages have message files for (webroot/i18n/widget.LANG.json). */
  public static final List<String> LANGUAGES = List.of("en", "fr");

  public static final int DEFAULT_ROLLOVER_AFTER_SECONDS = 75;

  public QueueConfig {
    backups = backups == null ? List.of() : List.copyOf(backups);
    form = form == null ? ChatForm.DEFAULT : form;
    language = language == null ? "en" : language;
  }
}
