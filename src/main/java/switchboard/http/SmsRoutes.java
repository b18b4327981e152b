package switchboard.http;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import switchboard.bus.Addresses;
import switchboard.bus.ClientError;
import switchboard.bus.Commands.SmsInbound;
import switchboard.bus.ErrorCode;
import switchboard.domain.SmsNumber;
import switchboard.domain.Directory;
import switchboard.sms.TwilioSignature;

/**
 * The SMS provider's webhook, {@code POST /api/v1/sms/inbound/twilio}: only requests the
 * provider signed with the number's auth token get through; forged ones get 403 and a log line.
 */
final class SmsRoutes {
  private static final Logger log = LoggerFactory.getLogger(SmsRoutes.class);
  private static final String EMPTY_TWIML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

  private final Directory directory;
  private final String publicBaseUrl;

  SmsRoutes(Directory directory, String publicBaseUrl) {
    this.directory = directory;
    this.publicBaseUrl = publicBaseUrl == null ? null : publicBaseUrl.replaceAll("/+$", "");
  }

  void mount(Router router) {
    router.post("/api/v1/sms/inbound/:provider").handler(this::inbound);
  }

  private void inbound(RoutingContext rc) {
    if (!"twilio".equals(rc.pathParam("provider"))) {
      throw new ClientError(ErrorCode.not_found, "no SMS provider " + rc.pathParam("provider"));
    }
    MultiMap form = rc.request().formAttributes();
    Map<String, String> params = new HashMap<>();
    form.forEach(e -> params.put(e.getKey(), e.getValue()));
    SmsNumber number = directory.smsNumber(params.get("To")).orElse(null);
    String address = rc.request().remoteAddress() == null ? "?" : rc.request().remoteAddress().hostAddress();
    if (number == null) {
      log.warn("SMS webhook for a number that is not set up ({}), from {}", params.get("To"), address);
      throw new ClientError(ErrorCode.forbidden, "not a number of this service");
    }
    // the URL the provider called: behind a proxy only the configured public base knows it
    String url = (publicBaseUrl != null ? publicBaseUrl
        : rc.request().scheme() + "://" + rc.request().authority()) + rc.request().uri();
    if (!TwilioSignature.verify(number.provider().authToken(), url, params,
        rc.request().getHeader("X-Twilio-Signature"))) {
      log.warn("refused an unsigned or forged SMS webhook for {} from {}", number.number(), address);
      throw new ClientError(ErrorCode.forbidden, "bad signature");
    }
    String from = params.get("From");
    String body = params.get("Body");
    String sid = params.get("MessageSid");
    if (from == null || sid == null || body == null) {
      throw new ClientError(ErrorCode.bad_request, "From, Body and MessageSid are required");
    }
    rc.vertx().eventBus().request(Addresses.SMS_INBOUND, new SmsInbound(number.number(), from, body, sid))
        .onSuccess(r -> rc.response().putHeader("Content-Type", "text/xml").end(EMPTY_TWIML))
        .onFailure(rc::fail);
  }
}
