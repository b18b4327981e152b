package switchboard.domain;

/**
 * A texting number feeding a queue (simple rollover only, DESIGN §2 rule 7).
 *
 * @param offlineReply sent once to a texter when nobody in the queue's chain is available
 * @param idleMinutes  a text after this much quiet starts a new chat
 */
public record SmsNumber(String number, String queue, Provider provider, String offlineReply, int idleMinutes) {

  public static final String DEFAULT_OFFLINE_REPLY =
      "Thanks for your message. Nobody is available to chat right now; we will answer as soon as we can.";
  public static final int DEFAULT_IDLE_MINUTES = 120;

  /** The SMS provider account; {@code type} is "twilio" (its REST API and webhook signatures). */
  public record Provider(String type, String accountSid, String authToken, String apiBase) {
    public static final String DEFAULT_TWILIO_API = "https://api.twilio.com";

    @Override
    public String toString() {
      return "Provider[type=" + type + ", accountSid=" + accountSid + ", apiBase=" + apiBase + "]"; // no secret
    }
  }
}
